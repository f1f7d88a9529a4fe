{#- Orders with their location's business day and their line totals: the unit every sales figure starts from. -#}
{#- A location missing from the latest snapshot (opened since) falls back to the reporting zone. -#}
{%- set location_zone = "coalesce(locations.timezone, '" ~ var('reporting_timezone') ~ "')" %}

with orders as (
    select * from {{ ref('stg_square__orders') }}
),

locations as (
    select * from {{ ref('stg_square__locations') }}
),

line_totals as (
    select
        order_id,
        raw_partition_date,
        sum(gross_amount) filter (where line_type = 'sale') as gross_sales_amount,
        sum(discount_amount) filter (where line_type = 'sale') as line_discount_amount,
        sum(tax_amount) filter (where line_type = 'sale') as line_tax_amount,
        sum(gross_amount) filter (where line_type = 'return') as gross_returns_amount,
        sum(discount_amount) filter (where line_type = 'return') as returned_line_discount_amount,
        sum(tax_amount) filter (where line_type = 'return') as returned_line_tax_amount,
        sum(total_amount) filter (where line_type = 'sale') as line_total_amount,
        count(*) filter (where line_type = 'sale') as sold_line_count,
        count(*) filter (where line_type = 'return') as returned_line_count
    from {{ ref('stg_square__order_line_items') }}
    group by order_id, raw_partition_date
)

select
    orders.*,
    {{ location_zone }} as location_timezone,
    {{ local_business_date('orders.created_at', location_zone) }} as business_date,
    cast(coalesce(line_totals.gross_sales_amount, 0) as bigint) as gross_sales_amount,
    cast(coalesce(line_totals.line_discount_amount, 0) as bigint) as line_discount_amount,
    cast(coalesce(line_totals.line_tax_amount, 0) as bigint) as line_tax_amount,
    cast(coalesce(line_totals.gross_returns_amount, 0) as bigint) as gross_returns_amount,
    cast(coalesce(line_totals.returned_line_discount_amount, 0) as bigint) as returned_line_discount_amount,
    cast(coalesce(line_totals.returned_line_tax_amount, 0) as bigint) as returned_line_tax_amount,
    cast(coalesce(line_totals.line_total_amount, 0) as bigint) as line_total_amount,
    coalesce(line_totals.sold_line_count, 0) as sold_line_count,
    coalesce(line_totals.returned_line_count, 0) as returned_line_count
from orders
left join locations on orders.location_id = locations.location_id
left join line_totals
    on
        orders.order_id = line_totals.order_id
        and orders.raw_partition_date = line_totals.raw_partition_date
