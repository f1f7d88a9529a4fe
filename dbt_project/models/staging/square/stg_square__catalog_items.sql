{#- Sellable catalog entries: items and their variations (line items point at a variation's id through
    `catalog_object_id`), the newest version of each, deleted ones flagged (macros/catalog_objects.sql). -#}
with parsed as (
    {{ latest_catalog_objects(['ITEM', 'ITEM_VARIATION']) }}
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
