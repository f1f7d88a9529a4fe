{#- Incremental strategy `replace_window`: delete the run's window, insert it again. The window is over the
    model's `window_column` (dbt_project.yml): `business_date` for the daily marts, `raw_partition_date` for the
    staging base tables. Unlike delete+insert on a unique key, a row that disappeared from the source (a voided
    sale) also goes, and a day that became empty is emptied. Without window vars the window is "every day". -#}
{% macro get_incremental_replace_window_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set source = arg_dict['temp_relation'] -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ target }} where {{ model_window_filter(config.get('window_column')) }};
    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ source }}
{%- endmacro %}
