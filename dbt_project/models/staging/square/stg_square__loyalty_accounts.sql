{#- Loyalty accounts from the snapshots with their point balance as of the snapshot. -#}
with accounts as (
    {{ newest_snapshot_records(
        source('square_raw', 'loyalty_accounts'), id_column='loyalty_account_id', record_column='account_record',
        structure=square_loyalty_account(), columns=['created_at', 'updated_at']
    ) }}
)

select
    loyalty_account_id,
    {{ record_text('account_record', 'customer_id') }} as customer_id,
    {{ record_text('account_record', 'program_id') }} as program_id,
    cast({{ record_text('account_record', 'balance') }} as bigint) as points_balance,
    cast({{ record_text('account_record', 'lifetime_points') }} as bigint) as lifetime_points,
    {{ record_timestamp('account_record', 'enrolled_at') }} as enrolled_at,
    is_deleted,
    created_at,
    updated_at,
    strptime(snapshot_at, '%Y%m%dT%H%M%SZ') as snapshot_at
from accounts
