{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'daily_sales_by_location'}}}) }}
{#- The Dashboard's reports add up to its Sales Summary: per location-day, the team sales, the hourly sales, the
    item sales and the payment methods sum to daily_sales_by_location, measure by measure. A row is a report,
    a location-day and a measure that differ. A warning, not an error: the reports attribute money to the
    order's day, the summary a payment to its own, and Square allows an order to be paid on a later day. -#}
{%- set sales = sales_measures() %}
{%- set item_measures = ['gross_sales', 'returns', 'discounts', 'net_sales', 'tax'] %}
{%- set payment_measures = ['refunds', 'total_collected', 'fees', 'net_total'] %}
with summary as (
    {{ store_day_measures(ref('daily_sales_by_location'), sales) }}
),

team as (
    {{ store_day_measures(ref('daily_team_sales_by_location'), sales) }}
),

hourly as (
    {{ store_day_measures(ref('hourly_sales_by_location'), sales) }}
),

items as (
    {{ store_day_measures(ref('daily_item_sales_by_location'), item_measures) }}
),

payment_methods as (
    {{ store_day_measures(ref('daily_payment_methods_by_location'), payment_measures) }}
),

report_rows as (
    select
        'daily_team_sales_by_location' as report,
        *
    from team
    union all
    select
        'hourly_sales_by_location' as report,
        *
    from hourly
    union all
    select
        'daily_item_sales_by_location' as report,
        *
    from items
    union all
    select
        'daily_payment_methods_by_location' as report,
        *
    from payment_methods
),

report_totals as (
    select
        report,
        location_id,
        business_date,
        measure,
        sum(amount) as amount
    from report_rows
    group by report, location_id, business_date, measure
),

report_measures as (
    select distinct
        report,
        measure
    from report_rows
),

-- The summary's figure of every measure a report has, so a location-day a report lacks shows up too.
expected as (
    select
        reports.report,
        summary.location_id,
        summary.business_date,
        summary.measure,
        summary.amount
    from summary
    inner join report_measures as reports on summary.measure = reports.measure
)

select
    coalesce(expected.report, report_totals.report) as report,
    coalesce(expected.location_id, report_totals.location_id) as location_id,
    coalesce(expected.business_date, report_totals.business_date) as business_date,
    coalesce(expected.measure, report_totals.measure) as measure,
    expected.amount as summary_amount,
    report_totals.amount as report_amount
from expected
full outer join report_totals
    on
        expected.report = report_totals.report
        and expected.location_id = report_totals.location_id
        and expected.business_date = report_totals.business_date
        and expected.measure = report_totals.measure
where coalesce(expected.amount, 0) != coalesce(report_totals.amount, 0)
