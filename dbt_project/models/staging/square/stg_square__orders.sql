with orders as (
    select * from {{ ref('base_square__orders') }}
)

select
    order_id,
    location_id,
    {{ json_text('order_json', 'customer_id') }} as customer_id,
    {{ json_text('order_json', 'reference_id') }} as reference_id,
    {{ json_text('order_json', 'source.name') }} as source_name,
    {{ json_text('order_json', 'state') }} as order_state,
    version as order_version,
    created_at,
    updated_at,
    {{ json_timestamp('order_json', 'closed_at') }} as closed_at,
    {{ json_text('order_json', 'total_money.currency') }} as currency,
    {{ money_amount('order_json', 'total_money') }} as total_amount,
    {{ money_amount('order_json', 'total_tax_money') }} as total_tax_amount,
    {{ money_amount('order_json', 'total_discount_money') }} as total_discount_amount,
    {{ money_amount('order_json', 'total_tip_money') }} as total_tip_amount,
    {{ money_amount('order_json', 'total_service_charge_money') }} as total_service_charge_amount,
    {{ money_amount('order_json', 'return_amounts.total_money') }} as returned_total_amount,
    {{ money_amount('order_json', 'return_amounts.tax_money') }} as returned_tax_amount,
    {{ money_amount('order_json', 'return_amounts.discount_money') }} as returned_discount_amount,
    {{ money_amount('order_json', 'return_amounts.tip_money') }} as returned_tip_amount,
    {{ money_amount('order_json', 'net_amounts.total_money') }} as net_total_amount,
    coalesce(json_array_length(order_json, '$.line_items'), 0) as line_item_count,
    -- Square records returned items in a separate return order; the refunded sale only gets return_amounts.
    coalesce(json_array_length(order_json, '$.returns'), 0) > 0 as is_return_order,
    {{ json_text('order_json', 'returns[0].source_order_id') }} as returned_from_order_id,
    raw_partition_date,
    ingested_at
from orders
