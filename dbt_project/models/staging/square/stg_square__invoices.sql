{#- Invoices from the snapshots, the newest copy of each; amounts of the (first) payment request. -#}
with invoices as (
    {{ newest_snapshot_records(
        source('square_raw', 'invoices'), id_column='invoice_id', record_column='invoice_record',
        structure=square_invoice(), columns=['location_id', 'version', 'created_at', 'updated_at']
    ) }}
)

select
    invoice_id,
    location_id,
    {{ record_text('invoice_record', 'invoice_number') }} as invoice_number,
    {{ record_text('invoice_record', 'title') }} as title,
    {{ record_text('invoice_record', 'status') }} as invoice_status,
    {{ record_text('invoice_record', 'primary_recipient.customer_id') }} as customer_id,
    {{ record_text('invoice_record', 'order_id') }} as order_id,
    {{ record_text('invoice_record', 'payment_requests[0].computed_amount_money.currency') }} as currency,
    {{ money_amount('invoice_record', 'payment_requests[0].computed_amount_money') }} as amount,
    {{ money_amount('invoice_record', 'payment_requests[0].total_completed_amount_money') }} as paid_amount,
    cast({{ record_text('invoice_record', 'payment_requests[0].due_date') }} as date) as due_date,
    cast({{ record_text('invoice_record', 'sale_or_service_date') }} as date) as sale_or_service_date,
    version as invoice_version,
    is_deleted,
    created_at,
    updated_at,
    strptime(snapshot_at, '%Y%m%dT%H%M%SZ') as snapshot_at
from invoices
