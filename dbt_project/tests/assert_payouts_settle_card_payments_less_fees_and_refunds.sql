{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'fct_payouts'}}}) }}
{#- Reconciliation: every payout equals the card payments it settles less their processing fees less the refunds
    it settles, as the sales facts hold them (fct_payments, fct_refunds), with no entry the facts lack; and no
    completed card payment taken online on a day a payout settles is left out of every payout. A warning: the
    payouts and the sales are pulled seconds apart. A row returned is a payout or a payment that does not
    reconcile. -#}
with payouts as (
    select * from {{ ref('fct_payouts') }}
    where {{ tested_window_filter() }}
),

charged as (
    select payment_id from {{ ref('stg_square__payout_entries') }}
    where entry_type = 'CHARGE'
),

covered_payments as (
    -- Card payments (gift cards are not paid out) rung up online on a day a payout of their store settles.
    select
        payments.payment_id,
        payouts.payout_id
    from {{ ref('fct_payments') }} as payments
    inner join payouts
        on
            payments.location_id = payouts.location_id
            and payments.business_date between payouts.settles_from_date and payouts.settles_to_date
    where
        payments.payment_status = 'COMPLETED'
        and payments.source_type = 'CARD'
        and coalesce(payments.card_brand, '') != 'SQUARE_GIFT_CARD'
        and not payments.is_offline_payment
)

select
    payout_id,
    null as payment_id,
    amount,
    expected_amount,
    unmatched_entries
from payouts
where amount != expected_amount or unmatched_entries > 0
union all
select
    covered_payments.payout_id,
    covered_payments.payment_id,
    null as amount,
    null as expected_amount,
    null as unmatched_entries
from covered_payments
anti join charged on covered_payments.payment_id = charged.payment_id
