{#- The catalog objects of some types as the latest catalog snapshot has them (macros/newest_copies.sql), each
    parsed once into `object_record` (macros/square_records.sql: square_catalog_object). The snapshot is filtered
    before parsing, so only the current objects' JSON is read. -#}
{% macro latest_catalog_objects(types) -%}
    select
        latest_snapshot.id as catalog_object_id,
        latest_snapshot.type as object_type,
        {{ parse_record('latest_snapshot.raw_json', square_catalog_object()) }} as object_record,
        latest_snapshot.version as catalog_version,
        latest_snapshot.updated_at,
        coalesce(latest_snapshot.is_deleted, false) as is_deleted
    from (
        select * from {{ source('square_raw', 'catalog') }}
        where type in ('{{ types | join("', '") }}')
        qualify {{ latest_snapshot_filter() }}
    ) as latest_snapshot
{%- endmacro %}
