{#- One row per timecard on the business day its shift started (the store's local day), with the hours paid
    (the shift less unpaid breaks) and their cost at the timecard's hourly rate. An open timecard has no end yet:
    its hours and cost stay null until it closes. -#}
with timecards as (
    select * from {{ ref('stg_square__timecards') }}
    where {{ raw_partition_filter() }}
),

located as (
    select
        timecards.*,
        {{ location_business_date('timecards.start_at') }} as business_date,
        (epoch(timecards.end_at) - epoch(timecards.start_at)) / 60.0 - timecards.unpaid_break_minutes
            as paid_minutes
    from timecards
    {{ join_location_timezone('timecards') }}
)

select
    timecard_id,
    location_id,
    business_date,
    team_member_id,
    job_title,
    timecard_status,
    start_at,
    end_at,
    unpaid_break_minutes,
    paid_break_minutes,
    round(paid_minutes / 60.0, 4) as paid_hours,
    hourly_rate_amount,
    -- Minor units, rounded to the cent: hours x rate.
    cast(round(paid_minutes * hourly_rate_amount / 60.0) as bigint) as labor_cost_amount,
    currency,
    timecard_version,
    created_at,
    updated_at,
    raw_partition_date
from located
where {{ business_date_filter() }}
