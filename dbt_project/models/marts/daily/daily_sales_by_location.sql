{#- Square's Sales Summary per location and local business day (definitions: square_sandbox/README.md,
    "Sales Summary definitions"), so a store manager's Dashboard and this table agree. -#}

{#- Built from the fact tables of the same run (no JSON parsed again), restricted to the window's days. -#}
with orders as (
    select * from {{ ref('fct_orders') }}
    where {{ business_date_filter() }} and order_state = 'COMPLETED'
),

payments as (
    select * from {{ ref('fct_payments') }}
    where {{ business_date_filter() }} and payment_status = 'COMPLETED'
),

refunds as (
    select * from {{ ref('fct_refunds') }}
    where {{ business_date_filter() }} and refund_status = 'COMPLETED'
),

order_totals as (
    -- Sale orders: completed, no returns. Return orders: completed, with returns (their own business day).
    select
        location_id,
        business_date,
        any_value(currency) as currency,
        count(*) filter (where not is_return_order) as order_count,
        sum(gross_sales_amount) filter (where not is_return_order) as gross_sales,
        -- `returns` is Square's name for the measure, kept although it is a SQL keyword.
        sum(gross_returns_amount) filter (where is_return_order) as returns,  -- noqa: RF04
        coalesce(sum(line_discount_amount) filter (where not is_return_order), 0)
        - coalesce(sum(returned_line_discount_amount) filter (where is_return_order), 0) as discounts,
        coalesce(sum(line_tax_amount) filter (where not is_return_order), 0)
        - coalesce(sum(returned_line_tax_amount) filter (where is_return_order), 0) as tax,
        sum(total_tip_amount) filter (where not is_return_order) as tips
    from orders
    group by location_id, business_date
),

payment_totals as (
    select
        location_id,
        business_date,
        any_value(currency) as currency,
        sum(total_amount) as collected,
        sum(processing_fee_amount) as fees
    from payments
    group by location_id, business_date
),

refund_totals as (
    select
        location_id,
        business_date,
        any_value(currency) as currency,
        sum(amount) as refunds
    from refunds
    group by location_id, business_date
),

location_days as (
    select
        location_id,
        business_date
    from order_totals
    union
    select
        location_id,
        business_date
    from payment_totals
    union
    select
        location_id,
        business_date
    from refund_totals
)

select
    location_days.location_id,
    location_days.business_date,
    coalesce(order_totals.currency, payment_totals.currency, refund_totals.currency) as currency,
    coalesce(order_totals.order_count, 0) as order_count,
    -- Sums of bigint are hugeint in DuckDB; minor units of a store's day fit a bigint comfortably.
    cast(coalesce(order_totals.gross_sales, 0) as bigint) as gross_sales,
    cast(coalesce(order_totals.returns, 0) as bigint) as returns,  -- noqa: RF04
    cast(coalesce(order_totals.discounts, 0) as bigint) as discounts,
    cast(
        coalesce(order_totals.gross_sales, 0)
        - coalesce(order_totals.returns, 0)
        - coalesce(order_totals.discounts, 0)
        as bigint
    ) as net_sales,
    cast(coalesce(order_totals.tax, 0) as bigint) as tax,
    cast(coalesce(order_totals.tips, 0) as bigint) as tips,
    cast(coalesce(payment_totals.collected, 0) - coalesce(refund_totals.refunds, 0) as bigint) as total_collected,
    cast(coalesce(refund_totals.refunds, 0) as bigint) as refunds,
    -- Square's processing fees on the day's payments, and what the store keeps: total collected less fees.
    cast(coalesce(payment_totals.fees, 0) as bigint) as fees,
    cast(
        coalesce(payment_totals.collected, 0) - coalesce(refund_totals.refunds, 0) - coalesce(payment_totals.fees, 0)
        as bigint
    ) as net_total
from location_days
left join order_totals
    on
        location_days.location_id = order_totals.location_id
        and location_days.business_date = order_totals.business_date
left join payment_totals
    on
        location_days.location_id = payment_totals.location_id
        and location_days.business_date = payment_totals.business_date
left join refund_totals
    on
        location_days.location_id = refund_totals.location_id
        and location_days.business_date = refund_totals.business_date
where {{ business_date_filter('location_days.business_date') }}
