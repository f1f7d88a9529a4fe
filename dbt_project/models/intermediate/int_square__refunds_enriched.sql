{#- Refunds with the business day they were given on (Square reports a refund on its own day, not the sale's). -#}
with refunds as (
    select * from {{ ref('stg_square__refunds') }}
)

select
    refunds.*,
    {{ location_business_date('refunds.created_at') }} as business_date
from refunds
{{ join_location_timezone('refunds') }}
