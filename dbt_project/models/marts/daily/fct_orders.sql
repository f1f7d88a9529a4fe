{#- Line totals come from fct_order_line_items (built first, same window), so each run parses the orders' JSON
    once for the order columns and once for the lines, not again for every mart. -#}
with orders as (
    select * from {{ ref('int_square__orders_located') }}
    where {{ raw_partition_filter() }}
),

line_totals as (
    select
        order_id,
        sum(gross_amount) filter (where line_type = 'sale') as gross_sales_amount,
        sum(discount_amount) filter (where line_type = 'sale') as line_discount_amount,
        sum(tax_amount) filter (where line_type = 'sale') as line_tax_amount,
        sum(gross_amount) filter (where line_type = 'return') as gross_returns_amount,
        sum(discount_amount) filter (where line_type = 'return') as returned_line_discount_amount,
        sum(tax_amount) filter (where line_type = 'return') as returned_line_tax_amount,
        count(*) filter (where line_type = 'sale') as sold_line_count,
        count(*) filter (where line_type = 'return') as returned_line_count
    from {{ ref('fct_order_line_items') }}
    where {{ business_date_filter() }}
    group by order_id
)

select
    orders.order_id,
    orders.location_id,
    orders.business_date,
    orders.customer_id,
    orders.source_name,
    orders.order_state,
    orders.order_version,
    orders.is_return_order,
    orders.returned_from_order_id,
    orders.created_at,
    orders.updated_at,
    orders.closed_at,
    orders.currency,
    -- Sums of bigint are hugeint in DuckDB; amounts of one order fit a bigint comfortably.
    cast(coalesce(line_totals.gross_sales_amount, 0) as bigint) as gross_sales_amount,
    cast(coalesce(line_totals.line_discount_amount, 0) as bigint) as line_discount_amount,
    cast(coalesce(line_totals.line_tax_amount, 0) as bigint) as line_tax_amount,
    orders.total_discount_amount,
    orders.total_tax_amount,
    orders.total_tip_amount,
    orders.total_service_charge_amount,
    orders.total_amount,
    cast(coalesce(line_totals.gross_returns_amount, 0) as bigint) as gross_returns_amount,
    cast(coalesce(line_totals.returned_line_discount_amount, 0) as bigint) as returned_line_discount_amount,
    cast(coalesce(line_totals.returned_line_tax_amount, 0) as bigint) as returned_line_tax_amount,
    orders.returned_total_amount,
    coalesce(line_totals.sold_line_count, 0) as sold_line_count,
    coalesce(line_totals.returned_line_count, 0) as returned_line_count,
    orders.location_timezone,
    orders.raw_partition_date
from orders
left join line_totals on orders.order_id = line_totals.order_id
where {{ business_date_filter('orders.business_date') }}
