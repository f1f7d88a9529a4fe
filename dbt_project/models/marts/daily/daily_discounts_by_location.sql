{#- Square's Discounts report per location and business day: how often each discount was applied to a sale,
    how much it took off, and how much of it came back with returns (definitions: _reports__models.yml). -#}
with discounts as (
    select * from {{ ref('int_square__order_discounts_located') }}
    where {{ raw_partition_filter() }} and {{ business_date_filter() }}
),

completed_orders as (
    {{ completed_order_ids() }}
),

totals as (
    select
        discounts.location_id,
        discounts.business_date,
        discounts.discount_id,
        discounts.discount_name,
        discounts.discount_scope,
        any_value(discounts.currency) as currency,
        count(*) filter (where discounts.entry_type = 'sale') as applied_count,
        coalesce(sum(discounts.applied_amount) filter (where discounts.entry_type = 'sale'), 0) as gross_amount,
        coalesce(sum(discounts.applied_amount) filter (where discounts.entry_type = 'return'), 0)
            as returned_amount
    from discounts
    semi join completed_orders on discounts.order_id = completed_orders.order_id
    group by
        discounts.location_id,
        discounts.business_date,
        discounts.discount_id,
        discounts.discount_name,
        discounts.discount_scope
)

select
    location_id,
    business_date,
    discount_id,
    discount_name,
    discount_scope,
    currency,
    applied_count,
    cast(gross_amount as bigint) as gross_amount,
    cast(returned_amount as bigint) as returned_amount,
    cast(gross_amount - returned_amount as bigint) as amount
from totals
