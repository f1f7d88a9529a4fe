{#- Labour per store and business day next to what the store sold: hours paid and their cost (closed timecards),
    the team members who worked, and labour cost as a share of net sales (daily_sales_by_location). -#}
with timecards as (
    select * from {{ ref('fct_timecards') }}
    where {{ business_date_filter() }}
),

sales as (
    select
        location_id,
        business_date,
        net_sales,
        order_count
    from {{ ref('daily_sales_by_location') }}
    where {{ business_date_filter() }}
),

labor as (
    select
        location_id,
        business_date,
        any_value(currency) as currency,
        count(*) as timecard_count,
        count(*) filter (where end_at is null) as open_timecard_count,
        count(distinct team_member_id) as team_member_count,
        round(sum(paid_hours), 2) as paid_hours,
        cast(sum(labor_cost_amount) as bigint) as labor_cost
    from timecards
    group by location_id, business_date
)

select
    labor.location_id,
    labor.business_date,
    labor.currency,
    labor.timecard_count,
    labor.open_timecard_count,
    labor.team_member_count,
    labor.paid_hours,
    labor.labor_cost,
    coalesce(sales.net_sales, 0) as net_sales,
    coalesce(sales.order_count, 0) as order_count,
    round(labor.labor_cost / nullif(sales.net_sales, 0), 4) as labor_cost_share_of_net_sales,
    round(coalesce(sales.net_sales, 0) / nullif(labor.paid_hours, 0)) as net_sales_per_labor_hour
from labor
left join sales on labor.location_id = sales.location_id and labor.business_date = sales.business_date
