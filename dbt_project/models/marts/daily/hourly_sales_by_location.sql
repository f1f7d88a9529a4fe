{#- Square's sales by hour of day: the Sales Summary per location, business day and local hour the order was
    created in (0-23, the store's own clock). -#}
with sales as (
    select * from {{ ref('fct_sales') }}
    where {{ business_date_filter() }}
)

select
    location_id,
    business_date,
    hour_of_day,
    any_value(currency) as currency,
    {{ sum_measures(sales_measures()) }}
from sales
group by location_id, business_date, hour_of_day
