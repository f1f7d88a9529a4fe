{#- One row per loyalty event on the business day Square recorded it (the store's local day; an offline sale's
    points arrive with its upload), with the points it added (positive) or took (negative). -#}
with events as (
    select * from {{ ref('stg_square__loyalty_events') }}
    where {{ raw_partition_filter() }}
)

select
    events.event_id,
    events.loyalty_account_id,
    events.location_id,
    {{ location_business_date('events.created_at') }} as business_date,
    events.event_type,
    events.event_source,
    events.points,
    events.order_id,
    events.adjustment_reason,
    events.created_at,
    events.raw_partition_date
from events
{{ join_location_timezone('events') }}
where {{ business_date_filter(location_business_date('events.created_at')) }}
