{#- Payments with their location's business day and, for offline ones, when they reached Square.

    An offline payment keeps the register's time in `created_at` / `client_created_at`; it becomes visible when
    the register uploads it, which Square records as `updated_at`. A later change (a refund) moves `updated_at`
    again, so the upload lag of a refunded offline payment is an upper bound. -#}
{#- A location missing from the latest snapshot (opened since) falls back to the reporting zone. -#}
{%- set location_zone = "coalesce(locations.timezone, '" ~ var('reporting_timezone') ~ "')" %}

with payments as (
    select * from {{ ref('stg_square__payments') }}
),

locations as (
    select * from {{ ref('stg_square__locations') }}
)

select
    payments.*,
    coalesce(payments.client_created_at, payments.created_at) as rung_up_at,
    case when payments.is_offline_payment then payments.updated_at end as uploaded_at,
    case
        when payments.is_offline_payment
            then
                (epoch(payments.updated_at) - epoch(coalesce(payments.client_created_at, payments.created_at)))
                / 60.0
    end as upload_lag_minutes,
    {{ local_business_date('payments.created_at', location_zone) }} as business_date
from payments
left join locations on payments.location_id = locations.location_id
