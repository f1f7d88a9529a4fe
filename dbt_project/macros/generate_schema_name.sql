{#- Layers get their own schema named exactly as configured (staging, marts, ...), not "<target>_<name>":
    one warehouse file per environment already keeps dev and prod apart. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ (custom_schema_name or target.schema) | trim }}
{%- endmacro %}
