{#- Square's Modifier Sales report per location and business day: units and sales of each modifier on sold
    lines, less those on returned lines (definitions: _reports__models.yml). -#}
with modifiers as (
    select * from {{ ref('int_square__order_line_item_modifiers_located') }}
    where {{ raw_partition_filter() }} and {{ business_date_filter() }}
),

completed_orders as (
    {{ completed_order_ids() }}
),

totals as (
    select
        modifiers.location_id,
        modifiers.business_date,
        modifiers.modifier_id,
        any_value(modifiers.modifier_name) as modifier_name,
        any_value(modifiers.currency) as currency,
        coalesce(sum(modifiers.quantity) filter (where modifiers.line_type = 'sale'), 0) as quantity_sold,
        coalesce(sum(modifiers.quantity) filter (where modifiers.line_type = 'return'), 0) as quantity_returned,
        coalesce(sum(modifiers.total_price_amount) filter (where modifiers.line_type = 'sale'), 0)
            as gross_sales,
        coalesce(sum(modifiers.total_price_amount) filter (where modifiers.line_type = 'return'), 0)
            as returns  -- noqa: RF04
    from modifiers
    semi join completed_orders on modifiers.order_id = completed_orders.order_id
    group by modifiers.location_id, modifiers.business_date, modifiers.modifier_id
)

select
    totals.location_id,
    totals.business_date,
    totals.modifier_id,
    totals.modifier_name,
    catalog_modifiers.modifier_list_id,
    catalog_modifiers.modifier_list_name,
    totals.currency,
    cast(totals.quantity_sold as decimal(18, 5)) as quantity_sold,
    cast(totals.quantity_returned as decimal(18, 5)) as quantity_returned,
    cast(totals.quantity_sold - totals.quantity_returned as decimal(18, 5)) as net_quantity,
    cast(totals.gross_sales as bigint) as gross_sales,
    cast(totals.returns as bigint) as returns,  -- noqa: RF04
    cast(totals.gross_sales - totals.returns as bigint) as net_sales
from totals
left join {{ ref('stg_square__catalog_modifiers') }} as catalog_modifiers
    on totals.modifier_id = catalog_modifiers.modifier_id
