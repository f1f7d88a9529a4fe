{#- Which copy of a Square object counts. The lake keeps whatever Square returned, so it can hold an object more
    than once (pages read while it changed, a day or snapshot pulled again): "newest" is decided here. -#}

{#- Newest copy first: latest `updated_at`, then the highest `version` (orders rung up on POS may carry none), then
    the latest ingestion. -#}
{% macro newest_copy_order() -%}
    updated_at desc nulls last, version desc nulls last, _ingested_at desc
{%- endmacro %}

{#- For `qualify`: keeps the newest copy of each id (within each `partition_by` group). -#}
{% macro newest_copy_filter(partition_by='id') -%}
    row_number() over (partition by {{ partition_by }} order by {{ newest_copy_order() }}) = 1
{%- endmacro %}

{#- For `qualify` on a snapshot table (locations, catalog, customers): keeps the rows of the newest snapshot, one
    per id (the first in `copy_order`, newest_copy_order by default). An object missing from the newest snapshot
    was deleted, so it is dropped rather than kept from an older one. -#}
{% macro latest_snapshot_filter(copy_order=none) -%}
    snapshot_at = max(snapshot_at) over ()
    and row_number() over (partition by id order by snapshot_at desc, {{ copy_order or newest_copy_order() }}) = 1
{%- endmacro %}

{#- The body of a base model over a daily raw table (orders, payments, refunds; CONTRACTS §2): one row per id,
    its newest copy, with the object's JSON kept for the staging model. `id_column` and `json_column` name the
    id and the JSON after the object (`order_id`, `order_json`). -#}
{% macro newest_raw_copies(raw_table, id_column, json_column) -%}
with source as (
    select * from {{ raw_table }}
)

select
    id as {{ id_column }},
    location_id,
    date as raw_partition_date,
    created_at,
    updated_at,
    version,
    json(raw_json) as {{ json_column }},
    _ingested_at as ingested_at
from source
-- An object lives in one raw partition only (its created_at never changes), so ranking within the partition
-- loses nothing, and a filter on raw_partition_date still prunes whole files below the view.
qualify {{ newest_copy_filter(partition_by='date, id') }}
{%- endmacro %}
