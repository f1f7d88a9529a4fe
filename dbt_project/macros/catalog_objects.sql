{#- The catalog objects of some types, the newest version of each from the full listings and changes pulled
    (macros/newest_copies.sql), each parsed once into `object_record` (macros/square_records.sql:
    square_catalog_object); deleted ones flagged `is_deleted` (Square returned them deleted, or the newest full
    listing no longer holds them). The copies are chosen before parsing, so only the current objects' JSON is
    read. -#}
{% macro latest_catalog_objects(types) -%}
    select
        newest.id as catalog_object_id,
        newest.type as object_type,
        {{ parse_record('newest.raw_json', square_catalog_object()) }} as object_record,
        newest.version as catalog_version,
        newest.updated_at,
        coalesce(newest.is_deleted, false) or newest.is_missing as is_deleted
    from (
        select
            *,
            {{ missing_from_latest_full_listing() }} as is_missing
        from {{ source('square_raw', 'catalog') }}
        where type in ('{{ types | join("', '") }}')
        qualify {{ newest_pulled_copy_filter() }}
    ) as newest
{%- endmacro %}
