{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'cash_drawer_shifts'}}}) }}
{#- Reconciliation: per store and business day, the cash sales of its drawers equal the cash tenders of its
    completed cash payments. A warning, not a stop: payments and drawers are two pulls of one run, seconds
    apart, and a sale uploaded in between differs until the next re-pull. A row returned is a store-day whose
    drawers and payments differ. -#}
with tenders as (
    select
        location_id,
        business_date,
        sum(total_amount) as cash_tenders
    from {{ ref('fct_payments') }}
    where source_type = 'CASH' and payment_status = 'COMPLETED' and {{ tested_window_filter() }}
    group by location_id, business_date
),

drawers as (
    select
        location_id,
        business_date,
        sum(cash_sales) as drawer_cash_sales
    from {{ ref('cash_drawer_shifts') }}
    where {{ tested_window_filter() }}
    group by location_id, business_date
)

select
    coalesce(tenders.location_id, drawers.location_id) as location_id,
    coalesce(tenders.business_date, drawers.business_date) as business_date,
    tenders.cash_tenders,
    drawers.drawer_cash_sales
from tenders
full outer join drawers
    on tenders.location_id = drawers.location_id and tenders.business_date = drawers.business_date
where coalesce(tenders.cash_tenders, 0) != coalesce(drawers.drawer_cash_sales, 0)
