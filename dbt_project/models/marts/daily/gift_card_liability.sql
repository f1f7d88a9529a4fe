{{ config(restates_later_days=true) }}
{#- The seller's gift card liability per business day (the reporting time zone's day: cards are the chain's, not
    a store's): what all cards held at the start of the day, what the day's activities added (activations, loads,
    refunds to cards) and took (redemptions, other changes), and what they held at its end.

    Cards sold before the first raw day hold money the lake's activities do not explain: the latest gift cards
    snapshot does (what the cards held then, less the changes recorded by then, is what earlier history left).

    Cumulative like stock on hand: a run rebuilds the days from its window's first one to the last day with an
    activity (`restates_later_days`). -#}
with activities as (
    select
        *,
        {{ local_business_date('created_at', "'" ~ var('reporting_timezone') ~ "'") }} as business_date
    from {{ ref('stg_square__gift_card_activities') }}
),

cards as (
    select
        sum(balance_amount) as liability,
        max(snapshot_at) as snapshot_at
    from {{ ref('stg_square__gift_cards') }}
    where not is_deleted
),

-- What the cards held before the first activity in the lake.
liability_before_history as (
    select coalesce(any_value(cards.liability) - coalesce(sum(activities.balance_change), 0), 0) as liability
    from cards
    left join activities on cards.snapshot_at >= activities.created_at
),

days_active as (
    select
        business_date,
        any_value(currency) as currency,
        count(*) as activity_count,
        count(distinct gift_card_id) as cards_used,
        sum(balance_change) filter (where activity_type = 'ACTIVATE') as activated,
        sum(balance_change) filter (where activity_type = 'LOAD') as loaded,
        -sum(balance_change) filter (where activity_type = 'REDEEM') as redeemed,
        sum(balance_change) filter (where activity_type = 'REFUND') as refunded_to_cards,
        sum(balance_change) filter (where activity_type not in ('ACTIVATE', 'LOAD', 'REDEEM', 'REFUND'))
            as other_changes,
        sum(balance_change) as net_change
    from activities
    group by business_date
),

bounds as (
    select
        {{ restated_first_day() }} as first_day,
        greatest(max(business_date), {{ latest_raw_day('gift_card_activities') }}) as last_day
    from days_active
),

spine as (
    select cast(unnest(generate_series(bounds.first_day, bounds.last_day, interval 1 day)) as date) as business_date
    from bounds
),

currencies as (
    select any_value(currency) as currency from days_active
),

carried as (
    select any_value(liability_before_history.liability) + coalesce(sum(days_active.net_change), 0) as liability
    from liability_before_history
    cross join bounds
    left join days_active on bounds.first_day > days_active.business_date
),

daily as (
    select
        spine.business_date,
        coalesce(days_active.currency, currencies.currency) as currency,
        coalesce(days_active.activity_count, 0) as activity_count,
        coalesce(days_active.cards_used, 0) as cards_used,
        coalesce(days_active.activated, 0) as activated,
        coalesce(days_active.loaded, 0) as loaded,
        coalesce(days_active.redeemed, 0) as redeemed,
        coalesce(days_active.refunded_to_cards, 0) as refunded_to_cards,
        coalesce(days_active.other_changes, 0) as other_changes,
        carried.liability
        + sum(coalesce(days_active.net_change, 0)) over (
            order by spine.business_date rows between unbounded preceding and current row
        ) as closing_liability
    from spine
    left join days_active on spine.business_date = days_active.business_date
    cross join carried
    cross join currencies
)

select
    business_date,
    currency,
    cast(
        closing_liability - activated - loaded + redeemed - refunded_to_cards - other_changes as bigint
    ) as opening_liability,
    cast(activated as bigint) as activated,
    cast(loaded as bigint) as loaded,
    cast(redeemed as bigint) as redeemed,
    cast(refunded_to_cards as bigint) as refunded_to_cards,
    cast(other_changes as bigint) as other_changes,
    cast(closing_liability as bigint) as closing_liability,
    activity_count,
    cards_used
from daily
