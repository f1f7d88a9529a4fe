{#- The team: every member the snapshots have seen (one no longer listed flagged `is_deleted`), with the job and
    hourly rate of their first assignment and the store they work at when assigned to one. -#}
select
    team_member_id,
    given_name,
    family_name,
    trim(concat_ws(' ', given_name, family_name)) as display_name,
    email_address,
    reference_id,
    member_status,
    is_owner,
    case when len(assigned_location_ids) = 1 then assigned_location_ids[1] end as home_location_id,
    assigned_location_ids,
    job_title,
    pay_type,
    hourly_rate_amount,
    currency,
    is_deleted,
    created_at,
    updated_at,
    snapshot_at as as_of
from {{ ref('stg_square__team_members') }}
