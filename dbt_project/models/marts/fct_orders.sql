{{ config(materialized='incremental', incremental_strategy='replace_window', tags=['daily_partitioned']) }}

with orders as (
    select * from {{ ref('int_square__orders_enriched') }}
    where {{ raw_partition_filter() }}
)

select
    order_id,
    location_id,
    business_date,
    customer_id,
    source_name,
    order_state,
    order_version,
    is_return_order,
    returned_from_order_id,
    created_at,
    updated_at,
    closed_at,
    currency,
    gross_sales_amount,
    total_discount_amount,
    total_tax_amount,
    total_tip_amount,
    total_service_charge_amount,
    total_amount,
    gross_returns_amount,
    returned_total_amount,
    sold_line_count,
    returned_line_count,
    location_timezone,
    raw_partition_date
from orders
where {{ business_date_filter() }}
