{#- Loyalty activity per store and business day: points given for sales (and promotions), taken back (returns,
    other adjustments), spent on rewards or expired, and how many accounts and sales earned points. -#}
with events as (
    select * from {{ ref('fct_loyalty_events') }}
    where {{ business_date_filter() }}
)

select
    location_id,
    business_date,
    count(*) as event_count,
    count(distinct loyalty_account_id) as account_count,
    count(distinct order_id) filter (where event_type = 'ACCUMULATE_POINTS') as orders_earning_points,
    cast(coalesce(
        sum(points) filter (where event_type in ('ACCUMULATE_POINTS', 'ACCUMULATE_PROMOTION_POINTS')), 0
    ) as bigint) as points_earned,
    cast(coalesce(sum(points) filter (where event_type = 'ADJUST_POINTS'), 0) as bigint) as points_adjusted,
    cast(coalesce(-sum(points) filter (where event_type in ('CREATE_REWARD', 'DELETE_REWARD')), 0) as bigint)
        as points_redeemed,
    cast(coalesce(-sum(points) filter (where event_type = 'EXPIRE_POINTS'), 0) as bigint) as points_expired,
    cast(coalesce(sum(points), 0) as bigint) as net_points
from events
where location_id is not null
group by location_id, business_date
