{#- Definitions the Dashboard report marts share (models/marts/daily/_reports__models.yml documents them). -#}

{#- Square's tender type of a payment, as the Dashboard's Payment Methods report groups it: a Square gift card
    (a CARD payment with card_brand SQUARE_GIFT_CARD) is SQUARE_GIFT_CARD, other cards CARD, cash CASH, and
    anything else (EXTERNAL: checks, third-party tenders; wallets, bank accounts) OTHER. -#}
{% macro payment_tender_type(source_type, card_brand) -%}
    case
        when {{ card_brand }} = 'SQUARE_GIFT_CARD' then 'SQUARE_GIFT_CARD'
        when {{ source_type }} = 'CARD' then 'CARD'
        when {{ source_type }} = 'CASH' then 'CASH'
        else 'OTHER'
    end
{%- endmacro %}

{#- The local hour of day (0-23) of an instant in a zone: the hour the Dashboard's hourly sales show it in. -#}
{% macro local_hour(timestamp_column, timezone_column) -%}
    cast(extract(hour from timezone({{ timezone_column }}, {{ timestamp_column }})) as integer)
{%- endmacro %}

{#- The measures of Square's Sales view (Sales Summary definitions), in the order the marts show them. -#}
{% macro sales_measures() -%}
    {%- do return([
        'order_count', 'gross_sales', 'returns', 'discounts', 'net_sales', 'tax', 'tips', 'refunds',
        'total_collected', 'fees', 'net_total'
    ]) -%}
{%- endmacro %}

{#- `sum(<measure>) as <measure>` for each measure, as bigint (DuckDB sums bigints into hugeints; a store's
    day in minor units fits a bigint comfortably). -#}
{% macro sum_measures(measures) -%}
    {%- for measure in measures %}
    cast(sum({{ measure }}) as bigint) as {{ measure }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- A report of Square's Sales view by one more key (team member, local hour): the Sales Summary measures of
    fct_sales per location, business day and `dimension`, for the run's window. -#}
{% macro sales_summary_by(dimension) -%}
with sales as (
    select * from {{ ref('fct_sales') }}
    where {{ business_date_filter() }}
)

select
    location_id,
    business_date,
    {{ dimension }},
    any_value(currency) as currency,
    {{ sum_measures(sales_measures()) }}
from sales
group by location_id, business_date, {{ dimension }}
{%- endmacro %}

{#- The ids of the completed orders of the run's window: the reports count completed orders only. -#}
{% macro completed_order_ids() -%}
    select order_id from {{ ref('fct_orders') }}
    where {{ business_date_filter() }} and order_state = 'COMPLETED'
{%- endmacro %}

{#- A report's measures per store-day as rows (measure, amount), for the window a test checks. -#}
{% macro store_day_measures(relation, measures) -%}
    unpivot (
        select
            location_id,
            business_date,
            {{ measures | join(', ') }}
        from {{ relation }}
        where {{ tested_window_filter() }}
    )
    on columns(* exclude (location_id, business_date))
    into name measure value amount
{%- endmacro %}
