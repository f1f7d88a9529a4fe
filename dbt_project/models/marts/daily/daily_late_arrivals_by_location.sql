{#- Per location and business day: how many sales reached Square late (offline mode) and how late, and which
    registers they came from, so operations can see which stores and registers go offline. -#}
with payments as (
    select * from {{ ref('fct_payments') }}
    where {{ business_date_filter() }}
)

select
    location_id,
    business_date,
    count(*) as payment_count,
    count(*) filter (where is_offline_payment) as offline_payment_count,
    count(*) filter (where upload_lag_minutes > {{ var('late_arrival_minutes') }}) as late_payment_count,
    cast(coalesce(
        sum(total_amount) filter (where upload_lag_minutes > {{ var('late_arrival_minutes') }}), 0
    ) as bigint) as late_amount,
    any_value(currency) as currency,
    round(quantile_cont(upload_lag_minutes, 0.5) filter (where is_offline_payment), 1) as upload_lag_p50_minutes,
    round(quantile_cont(upload_lag_minutes, 0.9) filter (where is_offline_payment), 1) as upload_lag_p90_minutes,
    round(max(upload_lag_minutes), 1) as upload_lag_max_minutes,
    count(*) filter (where upload_lag_minutes > 72 * 60) as beyond_72_hours_count,
    list_sort(list(distinct device_id) filter (where is_offline_payment and device_id is not null))
        as offline_devices
from payments
where {{ business_date_filter() }}
group by location_id, business_date
