with payments as (
    select * from {{ ref('int_square__payments_enriched') }}
    where {{ raw_partition_filter() }}
)

select
    payment_id,
    location_id,
    business_date,
    order_id,
    customer_id,
    team_member_id,
    payment_status,
    source_type,
    card_brand,
    tender_type,
    device_id,
    currency,
    amount,
    tip_amount,
    total_amount,
    approved_amount,
    refunded_amount,
    processing_fee_amount,
    is_offline_payment,
    client_created_at,
    uploaded_at,
    upload_lag_minutes,
    created_at,
    updated_at,
    raw_partition_date
from payments
where {{ business_date_filter() }}
