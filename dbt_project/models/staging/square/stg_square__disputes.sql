{#- Disputes (chargebacks) from the snapshots, the newest copy of each (its latest state). -#}
with disputes as (
    {{ newest_snapshot_records(
        source('square_raw', 'disputes'), id_column='dispute_id', record_column='dispute_record',
        structure=square_dispute(), columns=['location_id', 'version', 'created_at', 'updated_at']
    ) }}
)

select
    dispute_id,
    location_id,
    {{ record_text('dispute_record', 'disputed_payment.payment_id') }} as payment_id,
    {{ record_text('dispute_record', 'state') }} as dispute_state,
    {{ record_text('dispute_record', 'reason') }} as reason,
    {{ record_text('dispute_record', 'card_brand') }} as card_brand,
    {{ record_text('dispute_record', 'amount_money.currency') }} as currency,
    {{ money_amount('dispute_record', 'amount_money') }} as amount,
    {{ record_timestamp('dispute_record', 'reported_at') }} as reported_at,
    {{ record_timestamp('dispute_record', 'due_at') }} as due_at,
    version as dispute_version,
    is_deleted,
    created_at,
    updated_at,
    strptime(snapshot_at, '%Y%m%dT%H%M%SZ') as snapshot_at
from disputes
