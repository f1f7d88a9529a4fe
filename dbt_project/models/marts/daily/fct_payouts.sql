{#- One row per payout to the bank, on the business day Square created it (the store's local day; it settles
    the days before), with its entries summed (card charges, their fees, refunds) and reconciled with the sales
    facts: the card payments and refunds it settles, as fct_payments and fct_refunds hold them
    (`expected_amount` = their totals less processing fees less refunds; `unmatched_entries`: entries naming a
    payment or refund the facts do not have). -#}
with payouts as (
    select * from {{ ref('stg_square__payouts') }}
    where {{ raw_partition_filter() }}
),

entries as (
    select * from {{ ref('stg_square__payout_entries') }}
    where {{ raw_partition_filter() }}
),

settled as (
    -- Each entry next to the sale fact it settles: the payment of a charge, the refund of a refund.
    select
        entries.payout_id,
        entries.entry_type,
        entries.gross_amount,
        entries.fee_amount,
        entries.net_amount,
        entries.effective_at,
        payments.total_amount as payment_total,
        payments.processing_fee_amount as payment_fee,
        refunds.amount as refund_amount,
        case
            when entries.entry_type = 'CHARGE' then payments.payment_id is null
            when entries.entry_type = 'REFUND' then refunds.refund_id is null
            else false
        end as is_unmatched
    from entries
    left join {{ ref('fct_payments') }} as payments
        on entries.entry_type = 'CHARGE' and entries.payment_id = payments.payment_id
    left join {{ ref('fct_refunds') }} as refunds
        on entries.entry_type = 'REFUND' and entries.refund_id = refunds.refund_id
),

entry_totals as (
    select
        payout_id,
        count(*) as entry_count,
        count(*) filter (where entry_type = 'CHARGE') as charge_count,
        count(*) filter (where entry_type = 'REFUND') as refund_count,
        sum(gross_amount) filter (where entry_type = 'CHARGE') as card_gross,
        sum(fee_amount) as fees,
        -sum(gross_amount) filter (where entry_type = 'REFUND') as refunds,
        sum(net_amount) filter (where entry_type not in ('CHARGE', 'REFUND')) as other_amount,
        sum(net_amount) as entries_net,
        sum(payment_total) filter (where entry_type = 'CHARGE') as settled_payments,
        sum(payment_fee) filter (where entry_type = 'CHARGE') as settled_payment_fees,
        sum(refund_amount) filter (where entry_type = 'REFUND') as settled_refunds,
        count(*) filter (where is_unmatched) as unmatched_entries,
        min(effective_at) as first_effective_at,
        max(effective_at) as last_effective_at
    from settled
    group by payout_id
)

select
    payouts.payout_id,
    payouts.location_id,
    {{ location_business_date('payouts.created_at') }} as business_date,
    payouts.payout_status,
    payouts.payout_type,
    payouts.currency,
    payouts.amount,
    payouts.arrival_date,
    payouts.created_at,
    payouts.updated_at,
    {{ location_business_date('entry_totals.first_effective_at') }} as settles_from_date,
    {{ location_business_date('entry_totals.last_effective_at') }} as settles_to_date,
    coalesce(entry_totals.entry_count, 0) as entry_count,
    coalesce(entry_totals.charge_count, 0) as charge_count,
    coalesce(entry_totals.refund_count, 0) as refund_count,
    cast(coalesce(entry_totals.card_gross, 0) as bigint) as card_gross,
    cast(coalesce(entry_totals.fees, 0) as bigint) as fees,
    cast(coalesce(entry_totals.refunds, 0) as bigint) as refunds,
    cast(coalesce(entry_totals.other_amount, 0) as bigint) as other_amount,
    cast(coalesce(entry_totals.entries_net, 0) as bigint) as entries_net,
    cast(coalesce(entry_totals.settled_payments, 0) as bigint) as settled_payments,
    cast(coalesce(entry_totals.settled_payment_fees, 0) as bigint) as settled_payment_fees,
    cast(coalesce(entry_totals.settled_refunds, 0) as bigint) as settled_refunds,
    cast(
        coalesce(entry_totals.settled_payments, 0)
        - coalesce(entry_totals.settled_payment_fees, 0)
        - coalesce(entry_totals.settled_refunds, 0)
        + coalesce(entry_totals.other_amount, 0)
        as bigint
    ) as expected_amount,
    coalesce(entry_totals.unmatched_entries, 0) as unmatched_entries,
    payouts.raw_partition_date
from payouts
left join entry_totals on payouts.payout_id = entry_totals.payout_id
{{ join_location_timezone('payouts') }}
where {{ business_date_filter(location_business_date('payouts.created_at')) }}
