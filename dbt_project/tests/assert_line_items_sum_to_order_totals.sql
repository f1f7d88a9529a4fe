{{ config(meta={'dagster': {'ref': {'name': 'fct_orders'}}}) }}
{#- A sales order's total is its lines' totals plus service charges and tip: a parse or consolidation error
    (a line counted twice, a stale version of the order) shows up here, and so does a sale that arrived without
    its line items (its lines add up to 0). A partitioned run checks its window. -#}
with lines as (
    select
        order_id,
        sum(total_amount) as lines_total
    from {{ ref('fct_order_line_items') }}
    where line_type = 'sale' and {{ tested_window_filter() }}
    group by order_id
)

select
    orders.order_id,
    orders.total_amount,
    coalesce(lines.lines_total, 0) as lines_total,
    orders.total_service_charge_amount,
    orders.total_tip_amount
from {{ ref('fct_orders') }} as orders
left join lines on orders.order_id = lines.order_id
where
    {{ tested_window_filter('orders.business_date') }}
    and not orders.is_return_order
    and orders.total_amount
    != coalesce(lines.lines_total, 0) + orders.total_service_charge_amount + orders.total_tip_amount
