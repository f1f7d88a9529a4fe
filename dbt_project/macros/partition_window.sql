{#- Partitioned runs pass a window of days (square_sales/transform/partition_window.py). The filters apply only
    to an incremental run of an existing table: a first build or a full refresh reads every day.

    raw_partition_filter: keeps the raw partitions (hive `date=` folders) a run must read. Used in the
    incremental marts, so DuckDB prunes whole files and an incremental run costs the same on 30 or 365 days.
    business_date_filter: keeps the local business days the run rebuilds (delete+insert of exactly those). -#}

{% macro raw_partition_filter(column='raw_partition_date') -%}
    {%- if is_incremental() and var('raw_partition_start') and var('raw_partition_end') -%}
        {{ column }} between cast('{{ var("raw_partition_start") }}' as date)
        and cast('{{ var("raw_partition_end") }}' as date)
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{% macro business_date_filter(column='business_date') -%}
    {%- if is_incremental() and var('business_date_start') and var('business_date_end') -%}
        {{ column }} between cast('{{ var("business_date_start") }}' as date)
        and cast('{{ var("business_date_end") }}' as date)
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- The same window for tests: a partitioned run checks the days it wrote, so its cost stays proportional to the
    window (a full refresh, with no window vars, checks everything). -#}
{% macro tested_window_filter(column='business_date') -%}
    {%- if var('business_date_start') and var('business_date_end') -%}
        {{ column }} between cast('{{ var("business_date_start") }}' as date)
        and cast('{{ var("business_date_end") }}' as date)
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{% macro tested_raw_window_filter(column='raw_partition_date') -%}
    {%- if var('raw_partition_start') and var('raw_partition_end') -%}
        {{ column }} between cast('{{ var("raw_partition_start") }}' as date)
        and cast('{{ var("raw_partition_end") }}' as date)
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
