with refunds as (
    select * from {{ ref('base_square__refunds') }}
)

select
    refund_id,
    location_id,
    {{ json_text('refund_json', 'payment_id') }} as payment_id,
    {{ json_text('refund_json', 'order_id') }} as order_id,
    {{ json_text('refund_json', 'status') }} as refund_status,
    {{ json_text('refund_json', 'reason') }} as reason,
    {{ json_text('refund_json', 'amount_money.currency') }} as currency,
    {{ money_amount('refund_json', 'amount_money') }} as amount,
    {{ money_amount('refund_json', 'processing_fee[0].amount_money') }} as processing_fee_amount,
    created_at,
    updated_at,
    raw_partition_date,
    ingested_at
from refunds
