with orders as (
    select * from {{ ref('base_square__orders') }}
)

select
    order_id,
    location_id,
    {{ record_text('order_record', 'customer_id') }} as customer_id,
    {{ record_text('order_record', 'reference_id') }} as reference_id,
    {{ record_text('order_record', 'source.name') }} as source_name,
    {{ record_text('order_record', 'state') }} as order_state,
    version as order_version,
    created_at,
    updated_at,
    {{ record_timestamp('order_record', 'closed_at') }} as closed_at,
    {{ record_text('order_record', 'total_money.currency') }} as currency,
    {{ money_amount('order_record', 'total_money') }} as total_amount,
    {{ money_amount('order_record', 'total_tax_money') }} as total_tax_amount,
    {{ money_amount('order_record', 'total_discount_money') }} as total_discount_amount,
    {{ money_amount('order_record', 'total_tip_money') }} as total_tip_amount,
    {{ money_amount('order_record', 'total_service_charge_money') }} as total_service_charge_amount,
    {{ money_amount('order_record', 'return_amounts.total_money') }} as returned_total_amount,
    {{ money_amount('order_record', 'return_amounts.tax_money') }} as returned_tax_amount,
    {{ money_amount('order_record', 'return_amounts.discount_money') }} as returned_discount_amount,
    {{ money_amount('order_record', 'return_amounts.tip_money') }} as returned_tip_amount,
    {{ money_amount('order_record', 'net_amounts.total_money') }} as net_total_amount,
    coalesce(len({{ record_text('order_record', 'line_items') }}), 0) as line_item_count,
    -- Square records returned items in a separate return order; the refunded sale only gets return_amounts.
    coalesce(len({{ record_text('order_record', 'returns') }}), 0) > 0 as is_return_order,
    {{ record_text('order_record', 'returns[0].source_order_id') }} as returned_from_order_id,
    raw_partition_date,
    ingested_at
from orders
