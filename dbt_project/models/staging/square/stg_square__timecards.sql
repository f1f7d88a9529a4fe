{#- Timecards, one row per timecard, with the minutes of paid and unpaid breaks summed from `breaks`. -#}
with timecards as (
    select * from {{ ref('base_square__timecards') }}
),

breaks as (
    select
        timecard_id,
        unnest({{ record_text('timecard_record', 'breaks') }}) as timecard_break
    from timecards
),

break_minutes as (
    select
        timecard_id,
        sum(epoch({{ record_timestamp('timecard_break', 'end_at') }}) - epoch(
            {{ record_timestamp('timecard_break', 'start_at') }}
        )) filter (where {{ record_text('timecard_break', 'is_paid') }} = 'true') / 60.0 as paid_break_minutes,
        sum(epoch({{ record_timestamp('timecard_break', 'end_at') }}) - epoch(
            {{ record_timestamp('timecard_break', 'start_at') }}
        )) filter (where coalesce({{ record_text('timecard_break', 'is_paid') }}, 'false') != 'true')
        / 60.0 as unpaid_break_minutes
    from breaks
    group by timecard_id
)

select
    timecards.timecard_id,
    timecards.location_id,
    {{ record_text('timecards.timecard_record', 'team_member_id') }} as team_member_id,
    {{ record_text('timecards.timecard_record', 'status') }} as timecard_status,
    {{ record_text('timecards.timecard_record', 'timezone') }} as timezone,
    {{ record_timestamp('timecards.timecard_record', 'start_at') }} as start_at,
    {{ record_timestamp('timecards.timecard_record', 'end_at') }} as end_at,
    {{ record_text('timecards.timecard_record', 'wage.title') }} as job_title,
    {{ record_text('timecards.timecard_record', 'wage.job_id') }} as job_id,
    cast({{ record_text('timecards.timecard_record', 'wage.hourly_rate.amount') }} as bigint) as hourly_rate_amount,
    {{ record_text('timecards.timecard_record', 'wage.hourly_rate.currency') }} as currency,
    coalesce(break_minutes.paid_break_minutes, 0) as paid_break_minutes,
    coalesce(break_minutes.unpaid_break_minutes, 0) as unpaid_break_minutes,
    timecards.version as timecard_version,
    timecards.created_at,
    timecards.updated_at,
    timecards.raw_partition_date,
    timecards.ingested_at
from timecards
left join break_minutes on timecards.timecard_id = break_minutes.timecard_id
