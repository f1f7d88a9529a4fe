{#- One row per discount of an order: the discounts applied to a sale (`discounts`, each with what it took off
    over all the lines it applies to) and those given back in a return order (`returns[].return_discounts`). -#}
with orders as (
    select * from {{ ref('base_square__orders') }}
),

applied as (
    select
        order_id,
        location_id,
        created_at,
        raw_partition_date,
        'sale' as entry_type,
        unnest({{ record_text('order_record', 'discounts') }}) as discount
    from orders
),

returned_groups as (
    select
        order_id,
        location_id,
        created_at,
        raw_partition_date,
        unnest({{ record_text('order_record', 'returns') }}) as returned_group
    from orders
),

returned as (
    select
        order_id,
        location_id,
        created_at,
        raw_partition_date,
        'return' as entry_type,
        unnest({{ record_text('returned_group', 'return_discounts') }}) as discount
    from returned_groups
),

discounts as (
    select * from applied
    union all
    select * from returned
)

select
    order_id || ':' || entry_type || ':' || {{ record_text('discount', 'uid') }} as order_discount_id,
    order_id,
    entry_type,
    location_id,
    {{ record_text('discount', 'catalog_object_id') }} as discount_id,
    {{ record_text('discount', 'name') }} as discount_name,
    {{ record_text('discount', 'scope') }} as discount_scope,
    {{ record_text('discount', 'type') }} as discount_type,
    {{ record_text('discount', 'applied_money.currency') }} as currency,
    {{ money_amount('discount', 'applied_money') }} as applied_amount,
    created_at,
    raw_partition_date
from discounts
