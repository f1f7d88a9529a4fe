{#- Generic tests (unique, not_null, relationships, ...) on incremental daily models check only the business days
    of the run's window; elsewhere this is dbt's own behaviour (the test's `where` config, if any). -#}
{% macro duckdb__get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- if config.get('where') -%}
        {%- do conditions.append('(' ~ config.get('where') ~ ')') -%}
    {%- endif -%}
    {%- if execute and model.attached_node and var('business_date_start') -%}
        {%- set attached = graph.nodes.get(model.attached_node) -%}
        {%- if attached and attached.config.materialized == 'incremental' and 'daily_partitioned' in attached.tags -%}
            {%- do conditions.append(tested_window_filter()) -%}
        {%- endif -%}
    {%- endif -%}
    {%- if conditions -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ conditions | join(' and ') }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}
