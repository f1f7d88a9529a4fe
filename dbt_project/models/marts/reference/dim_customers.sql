select
    customer_id,
    given_name,
    family_name,
    company_name,
    email_address,
    phone_number,
    creation_source,
    is_email_unsubscribed,
    is_deleted,
    created_at,
    updated_at
from {{ ref('stg_square__customers') }}
