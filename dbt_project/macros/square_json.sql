{#- Square objects arrive as JSON text (`raw_json`). A staging model parses each object ONCE into a typed record,
    `parse_record('raw_json', <structure>)` (structures: macros/square_records.sql), and reads its fields with the
    macros below; nothing parses the JSON again. Every leaf of a structure is varchar, the text that
    json_extract_string returned, so a model casts a value where it uses it and a bad value fails there. A field
    a model reads but its structure lacks fails the build naming the key: add it to the structure. -#}

{% macro parse_record(json_column, structure) -%}
    from_json({{ json_column }}, '{{ tojson(structure) }}')
{%- endmacro %}

{#- A field of a record by its path as in Square's docs: dotted names, 0-based list indexes
    (`returns[0].source_order_id`), as DuckDB accesses it (`record['returns'][1]['source_order_id']`). -#}
{% macro record_text(record, path) -%}
    {%- set access = [record] -%}
    {%- for part in path.split('.') -%}
        {%- set name, _, index = part.partition('[') -%}
        {%- do access.append("['" ~ name ~ "']") -%}
        {%- if index -%}
            {%- do access.append('[' ~ ((index.rstrip(']') | int) + 1) ~ ']') -%}
        {%- endif -%}
    {%- endfor -%}
    {{ access | join('') }}
{%- endmacro %}

{#- A Money field (`{"amount": 1234, "currency": "USD"}`) as integer minor units; absent money is 0. -#}
{% macro money_amount(record, path) -%}
    coalesce(cast({{ record_text(record, path ~ '.amount') }} as bigint), 0)
{%- endmacro %}

{% macro record_timestamp(record, path) -%}
    cast({{ record_text(record, path) }} as timestamptz)
{%- endmacro %}
