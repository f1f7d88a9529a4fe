{#- Payments with their location's business day and, for offline ones, when they reached Square.

    An offline payment keeps the register's time in `created_at` / `client_created_at`; it becomes visible when
    the register uploads it, which Square records as `updated_at`. A later change (a refund) moves `updated_at`
    again, so the upload lag of a refunded offline payment is an upper bound. -#}
with payments as (
    select * from {{ ref('stg_square__payments') }}
)

select
    payments.*,
    {{ payment_tender_type('payments.source_type', 'payments.card_brand') }} as tender_type,
    coalesce(payments.client_created_at, payments.created_at) as rung_up_at,
    case when payments.is_offline_payment then payments.updated_at end as uploaded_at,
    case
        when payments.is_offline_payment
            then
                (epoch(payments.updated_at) - epoch(coalesce(payments.client_created_at, payments.created_at)))
                / 60.0
    end as upload_lag_minutes,
    {{ location_business_date('payments.created_at') }} as business_date
from payments
{{ join_location_timezone('payments') }}
