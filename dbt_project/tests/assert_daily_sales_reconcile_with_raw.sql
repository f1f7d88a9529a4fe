{{ config(meta={'dagster': {'ref': {'name': 'daily_sales_by_location'}}}) }}
{#- Reconciliation with the raw layer: per location and business day, the mart's refunds and total collected
    equal what the lake holds, recomputed here from the raw files' typed columns (not from the JSON the mart
    parses), newest copy of each id. A row returned is a day whose totals differ. -#}
with raw_payments as (
    select * from {{ source('square_raw', 'payments') }}
    where {{ tested_raw_window_filter('date') }}
    qualify {{ newest_copy_filter() }}
),

raw_refunds as (
    select * from {{ source('square_raw', 'refunds') }}
    where {{ tested_raw_window_filter('date') }}
    qualify {{ newest_copy_filter() }}
),

movements as (
    select
        raw_payments.location_id,
        {{ location_business_date('raw_payments.created_at') }} as business_date,
        raw_payments.total_money_amount as collected,
        0 as refunded
    from raw_payments
    {{ join_location_timezone('raw_payments') }}
    where raw_payments.status = 'COMPLETED'
    union all
    select
        raw_refunds.location_id,
        {{ location_business_date('raw_refunds.created_at') }} as business_date,
        0 as collected,
        raw_refunds.amount_money_amount as refunded
    from raw_refunds
    {{ join_location_timezone('raw_refunds') }}
    where raw_refunds.status = 'COMPLETED'
),

from_raw as (
    select
        location_id,
        business_date,
        sum(collected) - sum(refunded) as total_collected,
        sum(refunded) as refunds
    from movements
    group by location_id, business_date
),

mart as (
    select
        location_id,
        business_date,
        total_collected,
        refunds
    from {{ ref('daily_sales_by_location') }}
    where {{ tested_window_filter() }}
)

select
    coalesce(mart.location_id, from_raw.location_id) as location_id,
    coalesce(mart.business_date, from_raw.business_date) as business_date,
    mart.total_collected as mart_total_collected,
    from_raw.total_collected as raw_total_collected,
    mart.refunds as mart_refunds,
    from_raw.refunds as raw_refunds
from mart
full outer join from_raw
    on mart.location_id = from_raw.location_id and mart.business_date = from_raw.business_date
where
    {{ tested_window_filter('coalesce(mart.business_date, from_raw.business_date)') }}
    and (
        coalesce(mart.total_collected, 0) != coalesce(from_raw.total_collected, 0)
        or coalesce(mart.refunds, 0) != coalesce(from_raw.refunds, 0)
    )
