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
