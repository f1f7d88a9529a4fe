{#- Square's Team Sales report: the Sales Summary per location, business day and team member who rang the
    sale up (or took the return). -#}
with sales as (
    select * from {{ ref('fct_sales') }}
    where {{ business_date_filter() }}
)

select
    location_id,
    business_date,
    team_member_id,
    any_value(currency) as currency,
    {{ sum_measures(sales_measures()) }}
from sales
group by location_id, business_date, team_member_id
