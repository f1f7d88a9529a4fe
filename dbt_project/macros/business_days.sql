{#- Business days are each location's own: Square reports a sale on the calendar day of the location's time zone.

    local_business_date: the local day of an instant in a given zone.
    join_location_timezone: a `left join` clause that brings each row's location (`stg_square__locations`, the
        latest snapshot) next to it, under the alias `locations`; `relation_alias` is the row's relation, which
        must have a `location_id`.
    location_timezone / location_business_date: the zone and local day of a row joined that way. A location
        missing from the latest snapshot (opened since) falls back to var('reporting_timezone'). -#}

{% macro local_business_date(timestamp_column, timezone_column) -%}
    cast(timezone({{ timezone_column }}, {{ timestamp_column }}) as date)
{%- endmacro %}

{% macro join_location_timezone(relation_alias) -%}
    left join {{ ref('stg_square__locations') }} as locations
        on {{ relation_alias }}.location_id = locations.location_id
{%- endmacro %}

{% macro location_timezone() -%}
    coalesce(locations.timezone, '{{ var("reporting_timezone") }}')
{%- endmacro %}

{% macro location_business_date(timestamp_column) -%}
    {{ local_business_date(timestamp_column, location_timezone()) }}
{%- endmacro %}
