{#- One row per completed order, a sale or the return order of a refund, with the measures of Square's Sales
    Summary (definitions: _reports__models.yml), who rang it up and its local hour: the rows Square's Reporting
    API `Sales` view adds up. Team and hourly sales are its sums. -#}
with orders as (
    select * from {{ ref('fct_orders') }}
    where {{ business_date_filter() }} and order_state = 'COMPLETED'
),

-- Payments and refunds are created with their order, so the raw partitions the run read hold them.
payments as (
    select * from {{ ref('fct_payments') }}
    where {{ raw_partition_filter() }}
),

refunds as (
    select * from {{ ref('fct_refunds') }}
    where {{ raw_partition_filter() }}
),

paid as (
    select
        order_id,
        -- Who rang the sale up: the team member on its (first) payment.
        arg_min(team_member_id, created_at) as team_member_id,
        coalesce(sum(total_amount) filter (where payment_status = 'COMPLETED'), 0) as collected,
        coalesce(sum(processing_fee_amount) filter (where payment_status = 'COMPLETED'), 0) as fees
    from payments
    group by order_id
),

refunded as (
    select
        order_id,
        -- Who took the return: the team member on its refund.
        arg_min(team_member_id, created_at) as team_member_id,
        coalesce(sum(amount) filter (where refund_status = 'COMPLETED'), 0) as refunded
    from refunds
    group by order_id
),

measured as (
    select
        orders.order_id,
        orders.location_id,
        orders.business_date,
        {{ local_hour('orders.created_at', 'orders.location_timezone') }} as hour_of_day,
        case when orders.is_return_order then 'RETURN' else 'SALE' end as order_type,
        orders.returned_from_order_id,
        case when orders.is_return_order then refunded.team_member_id else paid.team_member_id end
            as team_member_id,
        orders.currency,
        case when orders.is_return_order then 0 else 1 end as order_count,
        orders.gross_sales_amount as gross_sales,
        orders.gross_returns_amount as returns,  -- noqa: RF04
        orders.line_discount_amount - orders.returned_line_discount_amount as discounts,
        orders.line_tax_amount - orders.returned_line_tax_amount as tax,
        case when orders.is_return_order then 0 else orders.total_tip_amount end as tips,
        case when orders.is_return_order then coalesce(refunded.refunded, 0) else 0 end as refunds,
        case
            when orders.is_return_order then -coalesce(refunded.refunded, 0)
            else coalesce(paid.collected, 0)
        end as total_collected,
        case when orders.is_return_order then 0 else coalesce(paid.fees, 0) end as fees,
        orders.created_at,
        orders.raw_partition_date
    from orders
    left join paid on orders.order_id = paid.order_id
    left join refunded on orders.order_id = refunded.order_id
)

select
    order_id,
    location_id,
    business_date,
    hour_of_day,
    order_type,
    returned_from_order_id,
    team_member_id,
    currency,
    order_count,
    gross_sales,
    returns,  -- noqa: RF04
    discounts,
    gross_sales - returns - discounts as net_sales,
    tax,
    tips,
    refunds,
    total_collected,
    fees,
    total_collected - fees as net_total,
    created_at,
    raw_partition_date
from measured
