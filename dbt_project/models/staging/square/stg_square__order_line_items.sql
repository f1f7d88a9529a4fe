{#- Sold and returned line items of the consolidated orders, one row per line. Returned lines (Square
    `returns[].return_line_items`) carry negative-meaning amounts in their own columns, never mixed with sales. -#}
with orders as (
    select * from {{ ref('base_square__orders') }}
    where {{ raw_partition_filter() }}
),

sold as (
    select
        orders.order_id,
        orders.location_id,
        orders.created_at,
        orders.raw_partition_date,
        'sale' as line_type,
        unnest({{ record_text('orders.order_record', 'line_items') }}) as line_item,
        null as source_order_id
    from orders
),

returned_groups as (
    select
        orders.order_id,
        orders.location_id,
        orders.created_at,
        orders.raw_partition_date,
        unnest({{ record_text('orders.order_record', 'returns') }}) as returned_group
    from orders
),

returned as (
    select
        order_id,
        location_id,
        created_at,
        raw_partition_date,
        'return' as line_type,
        unnest({{ record_text('returned_group', 'return_line_items') }}) as line_item,
        {{ record_text('returned_group', 'source_order_id') }} as source_order_id
    from returned_groups
),

lines as (
    select * from sold
    union all
    select * from returned
)

select
    order_id || ':' || line_type || ':' || {{ record_text('line_item', 'uid') }} as order_line_item_id,
    order_id,
    {{ record_text('line_item', 'uid') }} as line_item_uid,
    line_type,
    source_order_id,
    {{ record_text('line_item', 'source_line_item_uid') }} as source_line_item_uid,
    location_id,
    {{ record_text('line_item', 'name') }} as item_name,
    {{ record_text('line_item', 'variation_name') }} as variation_name,
    {{ record_text('line_item', 'catalog_object_id') }} as catalog_object_id,
    {{ record_text('line_item', 'item_type') }} as item_type,
    cast({{ record_text('line_item', 'quantity') }} as decimal(18, 5)) as quantity,
    coalesce(
        {{ record_text('line_item', 'total_money.currency') }},
        {{ record_text('line_item', 'base_price_money.currency') }}
    ) as currency,
    {{ money_amount('line_item', 'base_price_money') }} as base_price_amount,
    case
        when line_type = 'sale' then {{ money_amount('line_item', 'gross_sales_money') }}
        else {{ money_amount('line_item', 'gross_return_money') }}
    end as gross_amount,
    {{ money_amount('line_item', 'total_discount_money') }} as discount_amount,
    {{ money_amount('line_item', 'total_tax_money') }} as tax_amount,
    {{ money_amount('line_item', 'total_service_charge_money') }} as service_charge_amount,
    {{ money_amount('line_item', 'total_money') }} as total_amount,
    created_at,
    raw_partition_date
from lines
