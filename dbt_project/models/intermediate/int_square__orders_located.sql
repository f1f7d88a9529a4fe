{#- Orders with their location's time zone and local business day (the day of created_at in that zone). -#}
with orders as (
    select * from {{ ref('stg_square__orders') }}
)

select
    orders.*,
    {{ location_timezone() }} as location_timezone,
    {{ location_business_date('orders.created_at') }} as business_date
from orders
{{ join_location_timezone('orders') }}
