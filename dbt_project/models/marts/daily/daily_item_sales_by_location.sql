{#- Square's Item Sales report per location and business day: units, gross sales, discounts, net sales and tax
    per item variation, sold lines less returned lines (definitions: _reports__models.yml). -#}
with line_items as (
    select * from {{ ref('fct_order_line_items') }}
    where {{ business_date_filter() }}
),

completed_orders as (
    {{ completed_order_ids() }}
),

catalog as (
    select * from {{ ref('stg_square__catalog_items') }}
),

-- The item and its reporting category as the catalog's latest snapshot has them.
variations as (
    select
        variations.catalog_object_id as item_variation_id,
        variations.item_id,
        coalesce(items.category_id, variations.category_id) as category_id
    from catalog as variations
    left join catalog as items on variations.item_id = items.catalog_object_id and items.object_type = 'ITEM'
    where variations.object_type = 'ITEM_VARIATION'
),

lines as (
    select
        line_items.location_id,
        line_items.business_date,
        line_items.catalog_object_id as item_variation_id,
        line_items.item_name,
        line_items.variation_name,
        line_items.currency,
        line_items.line_type,
        line_items.quantity,
        line_items.gross_amount,
        line_items.discount_amount,
        line_items.tax_amount
    from line_items
    semi join completed_orders on line_items.order_id = completed_orders.order_id
),

totals as (
    select
        location_id,
        business_date,
        item_variation_id,
        any_value(item_name) as item_name,
        any_value(variation_name) as item_variation_name,
        any_value(currency) as currency,
        coalesce(sum(quantity) filter (where line_type = 'sale'), 0) as quantity_sold,
        coalesce(sum(quantity) filter (where line_type = 'return'), 0) as quantity_returned,
        coalesce(sum(gross_amount) filter (where line_type = 'sale'), 0) as gross_sales,
        coalesce(sum(gross_amount) filter (where line_type = 'return'), 0) as returns,  -- noqa: RF04
        coalesce(sum(discount_amount) filter (where line_type = 'sale'), 0)
        - coalesce(sum(discount_amount) filter (where line_type = 'return'), 0) as discounts,
        coalesce(sum(tax_amount) filter (where line_type = 'sale'), 0)
        - coalesce(sum(tax_amount) filter (where line_type = 'return'), 0) as tax
    from lines
    group by location_id, business_date, item_variation_id
)

select
    totals.location_id,
    totals.business_date,
    totals.item_variation_id,
    variations.item_id,
    totals.item_name,
    totals.item_variation_name,
    variations.category_id,
    categories.category_name,
    totals.currency,
    cast(totals.quantity_sold as decimal(18, 5)) as quantity_sold,
    cast(totals.quantity_returned as decimal(18, 5)) as quantity_returned,
    cast(totals.quantity_sold - totals.quantity_returned as decimal(18, 5)) as net_quantity,
    cast(totals.gross_sales as bigint) as gross_sales,
    cast(totals.returns as bigint) as returns,  -- noqa: RF04
    cast(totals.discounts as bigint) as discounts,
    cast(totals.gross_sales - totals.returns - totals.discounts as bigint) as net_sales,
    cast(totals.tax as bigint) as tax
from totals
left join variations on totals.item_variation_id = variations.item_variation_id
left join {{ ref('stg_square__catalog_categories') }} as categories
    on variations.category_id = categories.category_id
