{#- Cash drawer shifts, one row per shift, amounts in minor units. `closed_cash_amount` is what was counted in
    the drawer at closing (null until the shift is closed). -#}
with shifts as (
    select * from {{ ref('base_square__cash_drawer_shifts') }}
)

select
    shift_id,
    location_id,
    {{ record_text('shift_record', 'state') }} as shift_state,
    {{ record_text('shift_record', 'description') }} as description,
    {{ record_text('shift_record', 'device.id') }} as device_id,
    {{ record_text('shift_record', 'device.name') }} as device_name,
    {{ record_timestamp('shift_record', 'opened_at') }} as opened_at,
    {{ record_timestamp('shift_record', 'ended_at') }} as ended_at,
    {{ record_timestamp('shift_record', 'closed_at') }} as closed_at,
    {{ record_text('shift_record', 'opened_cash_money.currency') }} as currency,
    {{ money_amount('shift_record', 'opened_cash_money') }} as opened_cash_amount,
    {{ money_amount('shift_record', 'cash_payment_money') }} as cash_payment_amount,
    {{ money_amount('shift_record', 'cash_refunds_money') }} as cash_refunds_amount,
    {{ money_amount('shift_record', 'cash_paid_in_money') }} as cash_paid_in_amount,
    {{ money_amount('shift_record', 'cash_paid_out_money') }} as cash_paid_out_amount,
    {{ money_amount('shift_record', 'expected_cash_money') }} as expected_cash_amount,
    cast({{ record_text('shift_record', 'closed_cash_money.amount') }} as bigint) as closed_cash_amount,
    {{ record_text('shift_record', 'opening_team_member_id') }} as opening_team_member_id,
    {{ record_text('shift_record', 'closing_team_member_id') }} as closing_team_member_id,
    created_at,
    updated_at,
    raw_partition_date,
    ingested_at
from shifts
