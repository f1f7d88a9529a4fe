{#- Team members from the snapshots: the newest copy of each, a member missing from the latest snapshot flagged
    `is_deleted` (kept, so older timecards still find their member). Job and hourly rate: the first assignment. -#}
with members as (
    {{ newest_snapshot_records(
        source('square_raw', 'team_members'), id_column='team_member_id', record_column='member_record',
        structure=square_team_member(), columns=['created_at', 'updated_at']
    ) }}
)

select
    team_member_id,
    {{ record_text('member_record', 'given_name') }} as given_name,
    {{ record_text('member_record', 'family_name') }} as family_name,
    {{ record_text('member_record', 'email_address') }} as email_address,
    {{ record_text('member_record', 'reference_id') }} as reference_id,
    {{ record_text('member_record', 'status') }} as member_status,
    coalesce({{ record_text('member_record', 'is_owner') }} = 'true', false) as is_owner,
    {{ record_text('member_record', 'assigned_locations.assignment_type') }} as assignment_type,
    {{ record_text('member_record', 'assigned_locations.location_ids') }} as assigned_location_ids,
    {{ record_text('member_record', 'wage_setting.job_assignments[0].job_title') }} as job_title,
    {{ record_text('member_record', 'wage_setting.job_assignments[0].pay_type') }} as pay_type,
    cast(
        {{ record_text('member_record', 'wage_setting.job_assignments[0].hourly_rate.amount') }} as bigint
    ) as hourly_rate_amount,
    {{ record_text('member_record', 'wage_setting.job_assignments[0].hourly_rate.currency') }} as currency,
    is_deleted,
    created_at,
    updated_at,
    strptime(snapshot_at, '%Y%m%dT%H%M%SZ') as snapshot_at
from members
