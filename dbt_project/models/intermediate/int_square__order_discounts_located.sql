{#- Discounts applied to sales and given back with returns, with their order's business day. -#}
with discounts as (
    select * from {{ ref('stg_square__order_discounts') }}
)

select
    discounts.*,
    {{ location_business_date('discounts.created_at') }} as business_date
from discounts
{{ join_location_timezone('discounts') }}
