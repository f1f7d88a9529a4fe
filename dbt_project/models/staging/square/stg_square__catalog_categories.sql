{#- The catalog's categories from the latest catalog snapshot (an item's reporting category names one). -#}
with source as (
    select * from {{ source('square_raw', 'catalog') }}
),

latest_snapshot as (
    select * from source
    where type = 'CATEGORY'
    qualify {{ latest_snapshot_filter() }}
),

parsed as (
    select
        id as category_id,
        {{ parse_record('raw_json', square_catalog_object()) }} as object_record,
        coalesce(is_deleted, false) as is_deleted
    from latest_snapshot
)

select
    category_id,
    {{ record_text('object_record', 'category_data.name') }} as category_name,
    is_deleted
from parsed
