with refunds as (
    select * from {{ ref('int_square__refunds_enriched') }}
    where {{ raw_partition_filter() }}
)

select
    refund_id,
    location_id,
    business_date,
    payment_id,
    order_id,
    team_member_id,
    refund_status,
    reason,
    currency,
    amount,
    processing_fee_amount,
    created_at,
    updated_at,
    raw_partition_date
from refunds
where {{ business_date_filter() }}
