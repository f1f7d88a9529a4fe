with payments as (
    select * from {{ ref('base_square__payments') }}
)

select
    payment_id,
    location_id,
    {{ record_text('payment_record', 'order_id') }} as order_id,
    {{ record_text('payment_record', 'customer_id') }} as customer_id,
    {{ record_text('payment_record', 'status') }} as payment_status,
    {{ record_text('payment_record', 'source_type') }} as source_type,
    {{ record_text('payment_record', 'card_details.card.card_brand') }} as card_brand,
    {{ record_text('payment_record', 'device_details.device_id') }} as device_id,
    {{ record_text('payment_record', 'amount_money.currency') }} as currency,
    {{ money_amount('payment_record', 'amount_money') }} as amount,
    {{ money_amount('payment_record', 'tip_money') }} as tip_amount,
    {{ money_amount('payment_record', 'total_money') }} as total_amount,
    {{ money_amount('payment_record', 'approved_money') }} as approved_amount,
    {{ money_amount('payment_record', 'refunded_money') }} as refunded_amount,
    {{ money_amount('payment_record', 'processing_fee[0].amount_money') }} as processing_fee_amount,
    coalesce(cast({{ record_text('payment_record', 'is_offline_payment') }} as boolean), false) as is_offline_payment,
    {{ record_timestamp('payment_record', 'offline_payment_details.client_created_at') }} as client_created_at,
    created_at,
    updated_at,
    raw_partition_date,
    ingested_at
from payments
