{#- Generic tests (unique, not_null, relationships, ...) of a partitioned run check only what the run read or
    wrote: the window of an incremental daily model (its `window_column`: business days of the marts, raw
    partitions of the staging base tables), the raw partitions of its window on the daily staging views.
    Elsewhere this is dbt's own behaviour (the `where` config). -#}
{% macro duckdb__get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- if config.get('where') -%}
        {%- do conditions.append('(' ~ config.get('where') ~ ')') -%}
    {%- endif -%}
    {%- if execute and model.attached_node and var('business_date_start') -%}
        {%- set attached = graph.nodes.get(model.attached_node) -%}
        {%- if attached and 'daily_partitioned' in attached.tags -%}
            {%- if attached.config.materialized == 'incremental' -%}
                {%- do conditions.append(model_window_filter(attached.config.window_column, tested=true)) -%}
            {%- elif var('raw_partition_start') -%}
                {%- do conditions.append(tested_raw_window_filter()) -%}
            {%- endif -%}
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
