with refunds as (
    select * from {{ ref('base_square__refunds') }}
)

select
    refund_id,
    location_id,
    {{ record_text('refund_record', 'payment_id') }} as payment_id,
    {{ record_text('refund_record', 'order_id') }} as order_id,
    {{ record_text('refund_record', 'status') }} as refund_status,
    {{ record_text('refund_record', 'reason') }} as reason,
    {{ record_text('refund_record', 'amount_money.currency') }} as currency,
    {{ money_amount('refund_record', 'amount_money') }} as amount,
    {{ money_amount('refund_record', 'processing_fee[0].amount_money') }} as processing_fee_amount,
    created_at,
    updated_at,
    raw_partition_date,
    ingested_at
from refunds
