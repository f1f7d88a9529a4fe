{#- The current customers from the latest complete snapshot. -#}
with source as (
    select * from {{ source('square_raw', 'customers') }}
),

latest_snapshot as (
    select * from source
    qualify {{ latest_snapshot_filter() }}
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
