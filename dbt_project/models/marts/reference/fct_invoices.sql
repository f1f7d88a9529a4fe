{#- One row per invoice, its latest status and amounts (sales invoiced outside the register, in no sales report).
    Rebuilt whole from the latest snapshot. -#}
select
    invoice_id,
    location_id,
    invoice_number,
    title,
    invoice_status,
    customer_id,
    order_id,
    currency,
    amount,
    paid_amount,
    amount - paid_amount as outstanding_amount,
    due_date,
    sale_or_service_date,
    invoice_version,
    is_deleted,
    created_at,
    updated_at
from {{ ref('stg_square__invoices') }}
