{#- Cash drawer shift events (cash payments and refunds, paid in and out, no sale), one row per event. -#}
with events as (
    select * from {{ ref('base_square__cash_drawer_shift_events') }}
)

select
    event_id,
    cash_drawer_shift_id as shift_id,
    location_id,
    {{ record_text('event_record', 'event_type') }} as event_type,
    {{ record_text('event_record', 'event_money.currency') }} as currency,
    {{ money_amount('event_record', 'event_money') }} as amount,
    {{ record_text('event_record', 'description') }} as description,
    {{ record_text('event_record', 'team_member_id') }} as team_member_id,
    created_at,
    raw_partition_date,
    ingested_at
from events
