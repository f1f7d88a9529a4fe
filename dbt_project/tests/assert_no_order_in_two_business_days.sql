{{ config(meta={'dagster': {'ref': {'name': 'fct_orders'}}}) }}
{#- An order belongs to exactly one business day, its location's local day of created_at. Windowed rebuilds
    must neither keep a stale copy on another day nor compute the day in the wrong zone. A partitioned run
    checks the orders of its window (wherever else a copy of them might sit). -#}
select
    orders.order_id,
    count(distinct orders.business_date) as business_days,
    min(orders.business_date) as first_day,
    max(orders.business_date) as last_day
from {{ ref('fct_orders') }} as orders
left join {{ ref('dim_locations') }} as locations on orders.location_id = locations.location_id
where
    orders.order_id in (
        select written.order_id
        from {{ ref('fct_orders') }} as written
        where {{ tested_window_filter('written.business_date') }}
    )
group by orders.order_id
having
    count(*) > 1
    or bool_or(
        orders.business_date
        != {{ local_business_date('orders.created_at', 'coalesce(locations.timezone, orders.location_timezone)') }}
    )
