{#- Incremental strategy `replace_window`: delete the business days of the run's window, insert them again.
    Unlike delete+insert on a unique key, a row that disappeared from the source (a voided sale) also goes,
    and a day that became empty is emptied. Without window vars the window is "every day" (a full rebuild). -#}
{% macro get_incremental_replace_window_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set source = arg_dict['temp_relation'] -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ target }} where {{ business_date_filter() }};
    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ source }}
{%- endmacro %}
