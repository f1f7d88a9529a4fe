{#- Gift card activities, with what each one did to its card's balance (`balance_change`): the amount of an
    activity that carries one (added or taken), else the change from the balance after the card's previous
    activity in the lake (a cleared or deactivated card; a type the platform does not know). -#}
with activities as (
    select * from {{ ref('base_square__gift_card_activities') }}
),

changes as (
    select
        *,
        {{ money_amount('activity_record', 'gift_card_balance_money') }} as balance_after_amount,
        {{ signed_activity_amount('activity_record') }} as signed_amount
    from activities
)

select
    activity_id,
    {{ record_text('activity_record', 'gift_card_id') }} as gift_card_id,
    location_id,
    {{ record_text('activity_record', 'type') }} as activity_type,
    {{ record_text('activity_record', 'gift_card_balance_money.currency') }} as currency,
    balance_after_amount,
    coalesce(
        signed_amount,
        balance_after_amount - lag(balance_after_amount) over (
            partition by {{ record_text('activity_record', 'gift_card_id') }} order by created_at, activity_id
        ),
        0
    ) as balance_change,
    coalesce(
        {{ record_text('activity_record', 'redeem_activity_details.payment_id') }},
        {{ record_text('activity_record', 'refund_activity_details.payment_id') }}
    ) as payment_id,
    created_at,
    raw_partition_date,
    ingested_at
from changes
