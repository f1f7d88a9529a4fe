{#- Square's Category Sales report per location and business day: the Item Sales of each reporting category
    (items without one under a null category). -#}
with item_sales as (
    select * from {{ ref('daily_item_sales_by_location') }}
    where {{ business_date_filter() }}
)

select
    location_id,
    business_date,
    category_id,
    any_value(category_name) as category_name,
    any_value(currency) as currency,
    cast(sum(quantity_sold) as decimal(18, 5)) as quantity_sold,
    cast(sum(quantity_returned) as decimal(18, 5)) as quantity_returned,
    cast(sum(net_quantity) as decimal(18, 5)) as net_quantity,
    {{ sum_measures(['gross_sales', 'returns', 'discounts', 'net_sales', 'tax']) }}
from item_sales
group by location_id, business_date, category_id
