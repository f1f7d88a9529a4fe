{#- Payout entries: a CHARGE names the payment it settles, a REFUND the refund (and its payment). -#}
with entries as (
    select * from {{ ref('base_square__payout_entries') }}
)

select
    entry_id,
    {{ record_text('entry_record', 'payout_id') }} as payout_id,
    location_id,
    {{ record_text('entry_record', 'type') }} as entry_type,
    {{ record_timestamp('entry_record', 'effective_at') }} as effective_at,
    {{ record_text('entry_record', 'gross_amount_money.currency') }} as currency,
    {{ money_amount('entry_record', 'gross_amount_money') }} as gross_amount,
    {{ money_amount('entry_record', 'fee_amount_money') }} as fee_amount,
    {{ money_amount('entry_record', 'net_amount_money') }} as net_amount,
    coalesce(
        {{ record_text('entry_record', 'type_charge_details.payment_id') }},
        {{ record_text('entry_record', 'type_refund_details.payment_id') }}
    ) as payment_id,
    {{ record_text('entry_record', 'type_refund_details.refund_id') }} as refund_id,
    raw_partition_date,
    ingested_at
from entries
