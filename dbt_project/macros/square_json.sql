{#- Square objects arrive as raw JSON text; these read typed values out of them with DuckDB's JSON functions. -#}

{#- A Money field (`{"amount": 1234, "currency": "USD"}`) as integer minor units; absent money is 0. -#}
{% macro money_amount(json_column, path) -%}
    coalesce(cast(json_extract_string({{ json_column }}, '$.{{ path }}.amount') as bigint), 0)
{%- endmacro %}

{% macro json_text(json_column, path) -%}
    json_extract_string({{ json_column }}, '$.{{ path }}')
{%- endmacro %}

{% macro json_timestamp(json_column, path) -%}
    cast(json_extract_string({{ json_column }}, '$.{{ path }}') as timestamptz)
{%- endmacro %}
