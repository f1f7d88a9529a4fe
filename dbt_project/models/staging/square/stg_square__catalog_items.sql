{#- Sellable catalog entries from the latest catalog snapshot: items and their variations (line items point at
    a variation's id through `catalog_object_id`). -#}
with source as (
    select * from {{ source('square_raw', 'catalog') }}
),

latest_snapshot as (
    select * from source
    where type in ('ITEM', 'ITEM_VARIATION')
    qualify {{ latest_snapshot_filter() }}
),

parsed as (
    select
        id as catalog_object_id,
        type as object_type,
        json(raw_json) as object_json,
        version as catalog_version,
        updated_at,
        coalesce(is_deleted, false) as is_deleted
    from latest_snapshot
)

select
    catalog_object_id,
    object_type,
    case
        when object_type = 'ITEM' then catalog_object_id
        else {{ json_text('object_json', 'item_variation_data.item_id') }}
    end as item_id,
    coalesce(
        {{ json_text('object_json', 'item_data.name') }},
        {{ json_text('object_json', 'item_variation_data.name') }}
    ) as object_name,
    coalesce(
        {{ json_text('object_json', 'item_data.reporting_category.id') }},
        {{ json_text('object_json', 'item_data.categories[0].id') }},
        {{ json_text('object_json', 'item_data.category_id') }}
    ) as category_id,
    {{ json_text('object_json', 'item_variation_data.sku') }} as sku,
    {{ json_text('object_json', 'item_variation_data.pricing_type') }} as pricing_type,
    {{ json_text('object_json', 'item_variation_data.price_money.currency') }} as currency,
    cast(
        {{ json_text('object_json', 'item_variation_data.price_money.amount') }} as bigint
    ) as price_amount,
    catalog_version,
    is_deleted,
    updated_at
from parsed
