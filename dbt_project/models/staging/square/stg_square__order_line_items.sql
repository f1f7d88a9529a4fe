{#- Sold and returned line items of the consolidated orders, one row per line. Returned lines (Square
    `returns[].return_line_items`) carry negative-meaning amounts in their own columns, never mixed with sales. -#}
with orders as (
    select * from {{ ref('base_square__orders') }}
),

sold as (
    select
        orders.order_id,
        orders.location_id,
        orders.created_at,
        orders.raw_partition_date,
        'sale' as line_type,
        unnest(cast(orders.order_json -> '$.line_items' as json[])) as line_json,
        null as source_order_id
    from orders
),

returned_groups as (
    select
        orders.order_id,
        orders.location_id,
        orders.created_at,
        orders.raw_partition_date,
        unnest(cast(orders.order_json -> '$.returns' as json[])) as return_json
    from orders
),

returned as (
    select
        order_id,
        location_id,
        created_at,
        raw_partition_date,
        'return' as line_type,
        unnest(cast(return_json -> '$.return_line_items' as json[])) as line_json,
        {{ json_text('return_json', 'source_order_id') }} as source_order_id
    from returned_groups
),

lines as (
    select * from sold
    union all
    select * from returned
)

select
    order_id || ':' || line_type || ':' || {{ json_text('line_json', 'uid') }} as order_line_item_id,
    order_id,
    {{ json_text('line_json', 'uid') }} as line_item_uid,
    line_type,
    source_order_id,
    {{ json_text('line_json', 'source_line_item_uid') }} as source_line_item_uid,
    location_id,
    {{ json_text('line_json', 'name') }} as item_name,
    {{ json_text('line_json', 'variation_name') }} as variation_name,
    {{ json_text('line_json', 'catalog_object_id') }} as catalog_object_id,
    {{ json_text('line_json', 'item_type') }} as item_type,
    cast({{ json_text('line_json', 'quantity') }} as decimal(18, 5)) as quantity,
    coalesce(
        {{ json_text('line_json', 'total_money.currency') }},
        {{ json_text('line_json', 'base_price_money.currency') }}
    ) as currency,
    {{ money_amount('line_json', 'base_price_money') }} as base_price_amount,
    case
        when line_type = 'sale' then {{ money_amount('line_json', 'gross_sales_money') }}
        else {{ money_amount('line_json', 'gross_return_money') }}
    end as gross_amount,
    {{ money_amount('line_json', 'total_discount_money') }} as discount_amount,
    {{ money_amount('line_json', 'total_tax_money') }} as tax_amount,
    {{ money_amount('line_json', 'total_service_charge_money') }} as service_charge_amount,
    {{ money_amount('line_json', 'total_money') }} as total_amount,
    created_at,
    raw_partition_date
from lines
