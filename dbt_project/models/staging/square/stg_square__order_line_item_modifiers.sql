{#- One row per modifier of a sold or returned line (a line's `modifiers`, a returned line's `return_modifiers`).
    Square prices a modifier per unit of its line: `total_price_money` is the modifier's price times its own
    quantity times the line's quantity, and `quantity` here is the modifier's units over the whole line. -#}
with line_items as (
    select * from {{ ref('stg_square__order_line_items') }}
),

modifiers as (
    select
        order_line_item_id,
        order_id,
        line_type,
        location_id,
        currency,
        quantity as line_quantity,
        created_at,
        raw_partition_date,
        unnest(modifiers) as modifier
    from line_items
)

select
    order_line_item_id || ':' || {{ record_text('modifier', 'uid') }} as order_line_item_modifier_id,
    order_line_item_id,
    order_id,
    line_type,
    location_id,
    {{ record_text('modifier', 'catalog_object_id') }} as modifier_id,
    {{ record_text('modifier', 'name') }} as modifier_name,
    cast(coalesce({{ record_text('modifier', 'quantity') }}, '1') as decimal(18, 5)) * line_quantity as quantity,
    currency,
    {{ money_amount('modifier', 'base_price_money') }} as base_price_amount,
    {{ money_amount('modifier', 'total_price_money') }} as total_price_amount,
    created_at,
    raw_partition_date
from modifiers
