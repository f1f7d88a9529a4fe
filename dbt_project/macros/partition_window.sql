{#- Partitioned runs pass a window of days (square_sales/transform/partition_window.py). The filters apply only
    to an incremental run of an existing table: a first build or a full refresh reads every day.

    raw_partition_filter: keeps the raw partitions (hive `date=` folders) a run must read. Used in the staging
    base tables and the incremental marts, so DuckDB prunes whole files and an incremental run costs the same on
    30 or 365 days.
    business_date_filter: keeps the local business days the run rebuilds (delete+insert of exactly those).
    model_window_filter: the one of the two that a model's `window_column` config names. -#}

{% macro raw_partition_filter(column='raw_partition_date') -%}
    {{ window_between(column, 'raw_partition_start', 'raw_partition_end', is_incremental()) }}
{%- endmacro %}

{% macro business_date_filter(column='business_date') -%}
    {{ window_between(column, 'business_date_start', 'business_date_end', is_incremental()) }}
{%- endmacro %}

{#- Every business day from the window's first on (incremental runs with the vars set), else `true`. -#}
{% macro business_date_onward_filter(column='business_date') -%}
    {%- if is_incremental() and var('business_date_start') -%}
        {{ column }} >= cast('{{ var("business_date_start") }}' as date)
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- The same windows for tests: a partitioned run checks the days it wrote, so its cost stays proportional to
    the window (a full refresh, with no window vars, checks everything). -#}
{% macro tested_window_filter(column='business_date') -%}
    {{ window_between(column, 'business_date_start', 'business_date_end') }}
{%- endmacro %}

{% macro tested_raw_window_filter(column='raw_partition_date') -%}
    {{ window_between(column, 'raw_partition_start', 'raw_partition_end') }}
{%- endmacro %}

{#- The window of a model replaced by `window_column` (`business_date` or `raw_partition_date`); `tested` gives
    the tests' version, which applies whenever the vars are set; `onward`, every business day from the window's
    first on (a model that restates later days). -#}
{% macro model_window_filter(window_column, tested=false, onward=false) -%}
    {%- if window_column == 'raw_partition_date' -%}
        {{ tested_raw_window_filter() if tested else raw_partition_filter() }}
    {%- elif window_column == 'business_date' and onward and not tested -%}
        {{ business_date_onward_filter() }}
    {%- elif window_column == 'business_date' -%}
        {{ tested_window_filter() if tested else business_date_filter() }}
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "window_column must be business_date or raw_partition_date, not " ~ window_column) }}
    {%- endif -%}
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

{#- The last day the lake holds a raw partition of `table` for (a partition can be empty: a day without any
    change, or today before its first one), from the files' names, as SQL. It is where a daily mart that goes on
    every day (stock on hand) ends. The path is the one the sources read (models/staging/square/_square__sources.yml).
-#}
{% macro latest_raw_day(table) -%}
    (
        select max(cast(regexp_extract(file_name, 'date=(\d{4}-\d{2}-\d{2})', 1) as date))
        from parquet_file_metadata('{{ env_var("LAKE_ROOT_URL", "../.data/lake") }}/raw/square/{{ table }}/*/*.parquet')
    )
{%- endmacro %}

{#- The first day a cumulative daily mart (stock on hand, gift card liability) rebuilds, as SQL over the days with
    data (`business_date`): the run's window start, but never before the first day the lake has data for. A
    window reaches a day before its first partition; without the floor an incremental run would add a day a full
    rebuild does not have. -#}
{% macro restated_first_day() -%}
    {%- if is_incremental() and var('business_date_start') -%}
        greatest(cast('{{ var("business_date_start") }}' as date), min(business_date))
    {%- else -%}
        min(business_date)
    {%- endif -%}
{%- endmacro %}
