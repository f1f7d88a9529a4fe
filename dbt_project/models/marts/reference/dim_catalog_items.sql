{#- Every version of every sellable variation, from the catalog snapshot: a sale joins the version valid when it
    was rung up (`valid_from <= created_at < valid_to`); today's catalog is `is_current and not is_deleted`. -#}
with history as (
    select * from {{ ref('snap_square__catalog_items') }}
),

variations as (
    select * from history
    where object_type = 'ITEM_VARIATION'
),

items as (
    select * from history
    where object_type = 'ITEM'
)

select
    variations.dbt_scd_id as catalog_item_version_id,
    variations.catalog_object_id,
    variations.item_id,
    items.object_name as item_name,
    variations.object_name as variation_name,
    coalesce(items.category_id, variations.category_id) as category_id,
    variations.sku,
    variations.pricing_type,
    variations.currency,
    variations.price_amount,
    variations.catalog_version,
    variations.is_deleted or coalesce(items.is_deleted, false) as is_deleted,
    variations.dbt_valid_from as valid_from,
    coalesce(variations.dbt_valid_to, cast('9999-12-31' as timestamptz)) as valid_to,
    variations.dbt_valid_to is null as is_current
from variations
-- The item's version that was valid when this variation version started.
left join items
    on
        variations.item_id = items.catalog_object_id
        and variations.dbt_valid_from >= items.dbt_valid_from
        and variations.dbt_valid_from < coalesce(items.dbt_valid_to, cast('9999-12-31' as timestamptz))
