{#- The current customers from the latest complete snapshot. -#}
with source as (
    select * from {{ source('square_raw', 'customers') }}
),

latest_snapshot as (
    -- Rows of the newest snapshot only (a customer missing from it was deleted), one per id.
    select * from source
    qualify
        snapshot_at = max(snapshot_at) over ()
        and row_number() over (
            partition by id
            order by snapshot_at desc, updated_at desc nulls last, version desc nulls last, _ingested_at desc
        ) = 1
),

parsed as (
    select
        id as customer_id,
        json(raw_json) as customer_json,
        created_at,
        updated_at,
        version as customer_version
    from latest_snapshot
)

select
    customer_id,
    {{ json_text('customer_json', 'given_name') }} as given_name,
    {{ json_text('customer_json', 'family_name') }} as family_name,
    {{ json_text('customer_json', 'company_name') }} as company_name,
    {{ json_text('customer_json', 'email_address') }} as email_address,
    {{ json_text('customer_json', 'phone_number') }} as phone_number,
    {{ json_text('customer_json', 'creation_source') }} as creation_source,
    {{ json_text('customer_json', 'preferences.email_unsubscribed') }} = 'true' as is_email_unsubscribed,
    customer_version,
    created_at,
    updated_at
from parsed
