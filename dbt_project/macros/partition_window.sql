{#- Partitioned runs pass a window of days (square_sales/transform/partition_window.py). The filters apply only
    to an incremental run of an existing table: a first build or a full refresh reads every day.

    raw_partition_filter: keeps the raw partitions (hive `date=` folders) a run must read. Used in the
    incremental marts, so DuckDB prunes whole files and an incremental run costs the same on 30 or 365 days.
    business_date_filter: keeps the local business days the run rebuilds (delete+insert of exactly those). -#}

{% macro raw_partition_filter(column='raw_partition_date') -%}
    {{ window_between(column, 'raw_partition_start', 'raw_partition_end', is_incremental()) }}
{%- endmacro %}

{% macro business_date_filter(column='business_date') -%}
    {{ window_between(column, 'business_date_start', 'business_date_end', is_incremental()) }}
{%- endmacro %}

{#- The same window for tests: a partitioned run checks the days it wrote, so its cost stays proportional to the
    window (a full refresh, with no window vars, checks everything). -#}
{% macro tested_window_filter(column='business_date') -%}
    {{ window_between(column, 'business_date_start', 'business_date_end') }}
{%- endmacro %}

{% macro tested_raw_window_filter(column='raw_partition_date') -%}
    {{ window_between(column, 'raw_partition_start', 'raw_partition_end') }}
{%- endmacro %}

{#- `column between <start var> and <end var>` when both vars are set (and `applies`), else `true`. -#}
{% macro window_between(column, start_var, end_var, applies=true) -%}
    {%- if applies and var(start_var) and var(end_var) -%}
        {{ column }} between cast('{{ var(start_var) }}' as date)
        and cast('{{ var(end_var) }}' as date)
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
