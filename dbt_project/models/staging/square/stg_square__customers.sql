{#- Customers: the newest version of each profile from the full listings and changes pulled; a profile the newest
    full listing no longer holds (and no later pull has seen) was deleted, flagged `is_deleted`. -#}
with source as (
    select * from {{ source('square_raw', 'customers') }}
),

latest_snapshot as (
    select
        *,
        {{ missing_from_latest_full_listing() }} as is_deleted
    from source
    qualify {{ newest_pulled_copy_filter() }}
),

parsed as (
    select
        id as customer_id,
        {{ parse_record('raw_json', square_customer()) }} as customer_record,
        created_at,
        updated_at,
        version as customer_version,
        is_deleted
    from latest_snapshot
)

select
    customer_id,
    {{ record_text('customer_record', 'given_name') }} as given_name,
    {{ record_text('customer_record', 'family_name') }} as family_name,
    {{ record_text('customer_record', 'company_name') }} as company_name,
    {{ record_text('customer_record', 'email_address') }} as email_address,
    {{ record_text('customer_record', 'phone_number') }} as phone_number,
    {{ record_text('customer_record', 'creation_source') }} as creation_source,
    {{ record_text('customer_record', 'preferences.email_unsubscribed') }} = 'true' as is_email_unsubscribed,
    customer_version,
    is_deleted,
    created_at,
    updated_at
from parsed
