with payments as (
    select * from {{ ref('base_square__payments') }}
)

select
    payment_id,
    location_id,
    {{ json_text('payment_json', 'order_id') }} as order_id,
    {{ json_text('payment_json', 'customer_id') }} as customer_id,
    {{ json_text('payment_json', 'status') }} as payment_status,
    {{ json_text('payment_json', 'source_type') }} as source_type,
    {{ json_text('payment_json', 'card_details.card.card_brand') }} as card_brand,
    {{ json_text('payment_json', 'device_details.device_id') }} as device_id,
    {{ json_text('payment_json', 'amount_money.currency') }} as currency,
    {{ money_amount('payment_json', 'amount_money') }} as amount,
    {{ money_amount('payment_json', 'tip_money') }} as tip_amount,
    {{ money_amount('payment_json', 'total_money') }} as total_amount,
    {{ money_amount('payment_json', 'approved_money') }} as approved_amount,
    {{ money_amount('payment_json', 'refunded_money') }} as refunded_amount,
    {{ money_amount('payment_json', 'processing_fee[0].amount_money') }} as processing_fee_amount,
    coalesce(cast({{ json_text('payment_json', 'is_offline_payment') }} as boolean), false) as is_offline_payment,
    {{ json_timestamp('payment_json', 'offline_payment_details.client_created_at') }} as client_created_at,
    created_at,
    updated_at,
    raw_partition_date,
    ingested_at
from payments
