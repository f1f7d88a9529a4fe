{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'fct_inventory_changes'}}}) }}
{#- Reconciliation: per store, item variation and business day, the units the inventory changes took out of stock
    as sales (and put back as returns) equal the units of the completed orders' sold (returned) lines. A warning:
    the orders and the changes are pulled seconds apart. A row returned is a store-variation-day that differs. -#}
with order_units as (
    select
        line_items.location_id,
        line_items.catalog_object_id,
        line_items.business_date,
        sum(line_items.quantity) filter (where line_items.line_type = 'sale') as units_sold,
        sum(line_items.quantity) filter (where line_items.line_type = 'return') as units_returned
    from {{ ref('fct_order_line_items') }} as line_items
    inner join {{ ref('fct_orders') }} as orders on line_items.order_id = orders.order_id
    where orders.order_state = 'COMPLETED' and {{ tested_window_filter('line_items.business_date') }}
    group by line_items.location_id, line_items.catalog_object_id, line_items.business_date
),

movements as (
    select
        location_id,
        catalog_object_id,
        business_date,
        sum(quantity) filter (where movement = 'sale') as units_sold,
        sum(quantity) filter (where movement = 'return') as units_returned
    from {{ ref('fct_inventory_changes') }}
    where movement in ('sale', 'return') and {{ tested_window_filter() }}
    group by location_id, catalog_object_id, business_date
)

select
    coalesce(order_units.location_id, movements.location_id) as location_id,
    coalesce(order_units.catalog_object_id, movements.catalog_object_id) as catalog_object_id,
    coalesce(order_units.business_date, movements.business_date) as business_date,
    order_units.units_sold as order_units_sold,
    movements.units_sold as stock_units_sold,
    order_units.units_returned as order_units_returned,
    movements.units_returned as stock_units_returned
from order_units
full outer join movements
    on
        order_units.location_id = movements.location_id
        and order_units.catalog_object_id = movements.catalog_object_id
        and order_units.business_date = movements.business_date
where
    coalesce(order_units.units_sold, 0) != coalesce(movements.units_sold, 0)
    or coalesce(order_units.units_returned, 0) != coalesce(movements.units_returned, 0)
