{{ config(materialized='incremental', incremental_strategy='replace_window', tags=['daily_partitioned']) }}

with line_items as (
    select * from {{ ref('stg_square__order_line_items') }}
    where {{ raw_partition_filter() }}
),

orders as (
    select
        order_id,
        raw_partition_date,
        business_date,
        order_state
    from {{ ref('int_square__orders_enriched') }}
    where {{ raw_partition_filter() }}
)

select
    line_items.order_line_item_id,
    line_items.order_id,
    line_items.line_item_uid,
    line_items.line_type,
    line_items.source_order_id,
    line_items.source_line_item_uid,
    line_items.location_id,
    orders.business_date,
    orders.order_state,
    line_items.catalog_object_id,
    line_items.item_name,
    line_items.variation_name,
    line_items.item_type,
    line_items.quantity,
    line_items.currency,
    line_items.base_price_amount,
    line_items.gross_amount,
    line_items.discount_amount,
    line_items.tax_amount,
    line_items.service_charge_amount,
    line_items.total_amount,
    line_items.created_at,
    line_items.raw_partition_date
from line_items
inner join orders
    on
        line_items.order_id = orders.order_id
        and line_items.raw_partition_date = orders.raw_partition_date
where {{ business_date_filter('orders.business_date') }}
