{#- Orders with their location's time zone and local business day (the day of created_at in that zone). -#}
{#- A location missing from the latest snapshot (opened since) falls back to the reporting zone. -#}
{%- set location_zone = "coalesce(locations.timezone, '" ~ var('reporting_timezone') ~ "')" %}

with orders as (
    select * from {{ ref('stg_square__orders') }}
),

locations as (
    select * from {{ ref('stg_square__locations') }}
)

select
    orders.*,
    {{ location_zone }} as location_timezone,
    {{ local_business_date('orders.created_at', location_zone) }} as business_date
from orders
left join locations on orders.location_id = locations.location_id
