{#- Line items with the business day of their order: the location's local day of the order's created_at. -#}
{#- A location missing from the latest snapshot (opened since) falls back to the reporting zone. -#}
{%- set location_zone = "coalesce(locations.timezone, '" ~ var('reporting_timezone') ~ "')" %}

with line_items as (
    select * from {{ ref('stg_square__order_line_items') }}
),

locations as (
    select * from {{ ref('stg_square__locations') }}
)

select
    line_items.*,
    {{ local_business_date('line_items.created_at', location_zone) }} as business_date
from line_items
left join locations on line_items.location_id = locations.location_id
