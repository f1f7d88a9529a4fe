{#- Square's Payment Methods report per location and business day: by tender (card by brand, cash, Square gift
    card, other), what was collected, refunded, charged in fees and kept (definitions: _reports__models.yml). -#}
with payments as (
    select * from {{ ref('fct_payments') }}
    where {{ business_date_filter() }} and payment_status = 'COMPLETED'
),

refunds as (
    select * from {{ ref('fct_refunds') }}
    where {{ business_date_filter() }} and refund_status = 'COMPLETED'
),

-- A refund counts against the tender of the payment it gives money back to, however long ago it was taken.
refunded_payments as (
    select
        payment_id,
        tender_type,
        card_brand
    from {{ ref('fct_payments') }}
    where payment_id in (select refunds.payment_id from refunds)
),

movements as (
    select
        location_id,
        business_date,
        tender_type,
        card_brand,
        currency,
        1 as payment_count,
        total_amount as collected,
        0 as refunds,
        processing_fee_amount as fees
    from payments
    union all
    select
        refunds.location_id,
        refunds.business_date,
        refunded_payments.tender_type,
        refunded_payments.card_brand,
        refunds.currency,
        0 as payment_count,
        0 as collected,
        refunds.amount as refunds,
        0 as fees
    from refunds
    left join refunded_payments on refunds.payment_id = refunded_payments.payment_id
),

totals as (
    select
        location_id,
        business_date,
        tender_type,
        card_brand,
        any_value(currency) as currency,
        {{ sum_measures(['payment_count', 'collected', 'refunds', 'fees']) }}
    from movements
    group by location_id, business_date, tender_type, card_brand
)

select
    location_id,
    business_date,
    tender_type,
    card_brand,
    currency,
    payment_count,
    collected,
    refunds,
    collected - refunds as total_collected,
    fees,
    collected - refunds - fees as net_total
from totals
