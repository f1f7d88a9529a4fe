{#- One row per cash drawer shift on the business day it opened (the store's local day): the float it opened
    with, the cash it took and paid out, what should be in it (`expected_cash`) and what was counted at closing,
    and the difference (`over_short`: positive over, negative short; null until the drawer is closed). -#}
with shifts as (
    select * from {{ ref('stg_square__cash_drawer_shifts') }}
    where {{ raw_partition_filter() }}
),

events as (
    select
        shift_id,
        count(*) filter (where event_type = 'CASH_TENDER_PAYMENT') as cash_payment_count,
        count(*) filter (where event_type = 'CASH_TENDER_REFUND') as cash_refund_count,
        count(*) filter (where event_type in ('PAID_IN', 'PAID_OUT')) as paid_in_out_count,
        count(*) filter (where event_type = 'NO_SALE') as no_sale_count
    from {{ ref('stg_square__cash_drawer_shift_events') }}
    where {{ raw_partition_filter() }}
    group by shift_id
)

select
    shifts.shift_id,
    shifts.location_id,
    {{ location_business_date('shifts.opened_at') }} as business_date,
    shifts.device_id,
    shifts.device_name,
    shifts.description,
    shifts.shift_state,
    shifts.opened_at,
    shifts.ended_at,
    shifts.closed_at,
    shifts.currency,
    shifts.opened_cash_amount as opened_cash,
    shifts.cash_payment_amount as cash_sales,
    shifts.cash_refunds_amount as cash_refunds,
    shifts.cash_paid_in_amount as paid_in,
    shifts.cash_paid_out_amount as paid_out,
    shifts.expected_cash_amount as expected_cash,
    shifts.closed_cash_amount as counted_cash,
    case
        when shifts.shift_state = 'CLOSED' then shifts.closed_cash_amount - shifts.expected_cash_amount
    end as over_short,
    coalesce(events.cash_payment_count, 0) as cash_payment_count,
    coalesce(events.cash_refund_count, 0) as cash_refund_count,
    coalesce(events.paid_in_out_count, 0) as paid_in_out_count,
    coalesce(events.no_sale_count, 0) as no_sale_count,
    shifts.opening_team_member_id,
    shifts.closing_team_member_id,
    shifts.updated_at,
    shifts.raw_partition_date
from shifts
left join events on shifts.shift_id = events.shift_id
{{ join_location_timezone('shifts') }}
where {{ business_date_filter(location_business_date('shifts.opened_at')) }}
