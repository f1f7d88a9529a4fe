{#- Loyalty events, with the points each one adds (accumulated, promotions) or takes (adjustments may be
    negative, rewards and expiries take points). -#}
with events as (
    select * from {{ ref('base_square__loyalty_events') }}
)

select
    event_id,
    {{ record_text('event_record', 'loyalty_account_id') }} as loyalty_account_id,
    location_id,
    {{ record_text('event_record', 'type') }} as event_type,
    {{ record_text('event_record', 'source') }} as event_source,
    cast(coalesce(
        {{ record_text('event_record', 'accumulate_points.points') }},
        {{ record_text('event_record', 'accumulate_promotion_points.points') }},
        {{ record_text('event_record', 'adjust_points.points') }},
        '0'
    ) as bigint)
    - cast(coalesce(
        {{ record_text('event_record', 'create_reward.points') }},
        {{ record_text('event_record', 'expire_points.points') }},
        '0'
    ) as bigint)
    + cast(coalesce({{ record_text('event_record', 'delete_reward.points') }}, '0') as bigint) as points,
    coalesce(
        {{ record_text('event_record', 'accumulate_points.order_id') }},
        {{ record_text('event_record', 'accumulate_promotion_points.order_id') }},
        {{ record_text('event_record', 'redeem_reward.order_id') }}
    ) as order_id,
    {{ record_text('event_record', 'adjust_points.reason') }} as adjustment_reason,
    created_at,
    raw_partition_date,
    ingested_at
from events
