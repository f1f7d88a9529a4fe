{#- Sellable catalog entries: items and their variations (line items point at a variation's id through
    `catalog_object_id`), the newest version of each from the full listings and changes pulled; deleted ones
    flagged `is_deleted` (Square returned them deleted, or the newest full listing no longer holds them). -#}
with source as (
    select * from {{ source('square_raw', 'catalog') }}
),

latest_snapshot as (
    select
        *,
        {{ missing_from_latest_full_listing() }} as is_missing
    from source
    where type in ('ITEM', 'ITEM_VARIATION')
    qualify {{ newest_pulled_copy_filter() }}
),

parsed as (
    select
        id as catalog_object_id,
        type as object_type,
        {{ parse_record('raw_json', square_catalog_object()) }} as object_record,
        version as catalog_version,
        updated_at,
        coalesce(is_deleted, false) or is_missing as is_deleted
    from latest_snapshot
)

select
    catalog_object_id,
    object_type,
    case
        when object_type = 'ITEM' then catalog_object_id
        else {{ record_text('object_record', 'item_variation_data.item_id') }}
    end as item_id,
    coalesce(
        {{ record_text('object_record', 'item_data.name') }},
        {{ record_text('object_record', 'item_variation_data.name') }}
    ) as object_name,
    coalesce(
        {{ record_text('object_record', 'item_data.reporting_category.id') }},
        {{ record_text('object_record', 'item_data.categories[0].id') }},
        {{ record_text('object_record', 'item_data.category_id') }}
    ) as category_id,
    {{ record_text('object_record', 'item_variation_data.sku') }} as sku,
    {{ record_text('object_record', 'item_variation_data.pricing_type') }} as pricing_type,
    {{ record_text('object_record', 'item_variation_data.price_money.currency') }} as currency,
    cast(
        {{ record_text('object_record', 'item_variation_data.price_money.amount') }} as bigint
    ) as price_amount,
    catalog_version,
    is_deleted,
    updated_at
from parsed
