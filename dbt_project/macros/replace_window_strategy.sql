{#- Incremental strategy `replace_window`: delete the run's window, insert it again. The window is over the
    model's `window_column` (dbt_project.yml): `business_date` for the daily marts, `raw_partition_date` for the
    staging base tables. Unlike delete+insert on a unique key, a row that disappeared from the source (a voided
    sale) also goes, and a day that became empty is emptied. Without window vars the window is "every day".
    A model configured `restates_later_days` (a cumulative one: stock on hand, gift card liability) replaces every
    day from its window's first on, since a change to one day changes all the days after it. -#}
{% macro get_incremental_replace_window_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set source = arg_dict['temp_relation'] -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    {%- set onward = config.get('restates_later_days', false) -%}
    delete from {{ target }} where {{ model_window_filter(config.get('window_column'), onward=onward) }};
    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ source }}
{%- endmacro %}
