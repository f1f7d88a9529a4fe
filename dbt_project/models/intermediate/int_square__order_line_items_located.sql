{#- Line items with the business day of their order: the location's local day of the order's created_at. -#}
with line_items as (
    select * from {{ ref('stg_square__order_line_items') }}
)

select
    line_items.*,
    {{ location_business_date('line_items.created_at') }} as business_date
from line_items
{{ join_location_timezone('line_items') }}
