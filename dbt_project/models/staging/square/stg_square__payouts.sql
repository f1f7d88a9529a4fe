with payouts as (
    select * from {{ ref('base_square__payouts') }}
)

select
    payout_id,
    location_id,
    {{ record_text('payout_record', 'status') }} as payout_status,
    {{ record_text('payout_record', 'type') }} as payout_type,
    {{ record_text('payout_record', 'amount_money.currency') }} as currency,
    {{ money_amount('payout_record', 'amount_money') }} as amount,
    cast({{ record_text('payout_record', 'arrival_date') }} as date) as arrival_date,
    {{ record_text('payout_record', 'destination.type') }} as destination_type,
    version as payout_version,
    created_at,
    updated_at,
    raw_partition_date,
    ingested_at
from payouts
