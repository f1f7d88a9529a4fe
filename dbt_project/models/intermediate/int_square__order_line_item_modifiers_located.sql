{#- Modifiers of sold and returned lines with their order's business day (the location's local day). -#}
with modifiers as (
    select * from {{ ref('stg_square__order_line_item_modifiers') }}
)

select
    modifiers.*,
    {{ location_business_date('modifiers.created_at') }} as business_date
from modifiers
{{ join_location_timezone('modifiers') }}
