{{ config(meta={'dagster': {'ref': {'name': 'daily_sales_by_location'}}}) }}
{#- Every completed sale is paid in full: per location-day, the completed payments of completed orders add up
    to what those orders charged. A missing (not yet uploaded) or duplicated tender shows up here. -#}
with paid as (
    select
        order_id,
        sum(total_amount) as paid_amount
    from {{ ref('fct_payments') }}
    where payment_status = 'COMPLETED' and {{ tested_window_filter() }}
    group by order_id
),

orders as (
    select
        location_id,
        business_date,
        order_id,
        total_amount
    from {{ ref('fct_orders') }}
    where order_state = 'COMPLETED' and not is_return_order and {{ tested_window_filter() }}
)

select
    orders.location_id,
    orders.business_date,
    sum(orders.total_amount) as charged,
    sum(coalesce(paid.paid_amount, 0)) as collected
from orders
left join paid on orders.order_id = paid.order_id
group by orders.location_id, orders.business_date
having sum(orders.total_amount) != sum(coalesce(paid.paid_amount, 0))
