{#- Refunds with the business day they were given on (Square reports a refund on its own day, not the sale's). -#}
{#- A location missing from the latest snapshot (opened since) falls back to the reporting zone. -#}
{%- set location_zone = "coalesce(locations.timezone, '" ~ var('reporting_timezone') ~ "')" %}

with refunds as (
    select * from {{ ref('stg_square__refunds') }}
),

locations as (
    select * from {{ ref('stg_square__locations') }}
)

select
    refunds.*,
    {{ local_business_date('refunds.created_at', location_zone) }} as business_date
from refunds
left join locations on refunds.location_id = locations.location_id
