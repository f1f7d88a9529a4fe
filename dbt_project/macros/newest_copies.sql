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

{#- For `qualify` on a snapshot table of an object Square lists whole (team members, disputes, gift cards, ...):
    keeps the newest copy of each id among the snapshots the lake holds, so an object missing from the newest
    snapshot (deleted in Square) stays, flagged by `missing_from_latest_snapshot()`, instead of being lost. -#}
{% macro newest_snapshot_copy_filter() -%}
    row_number() over (partition by id order by snapshot_at desc, {{ newest_copy_order() }}) = 1
{%- endmacro %}

{% macro missing_from_latest_snapshot() -%}
    snapshot_at < max(snapshot_at) over ()
{%- endmacro %}

{#- The body of a staging base table over a daily raw table (orders, payments, refunds; ingestion/layout.py): one row
    per id, its newest copy, with the object parsed into a typed record (macros/square_json.sql) for the staging
    views. `id_column` and `record_column` name the id and the record after the object (`order_id`,
    `order_record`); `structure` is the object's shape (macros/square_records.sql); `extra_columns`, raw columns
    that are not in the object (a drawer shift event's shift, from the query that listed it). An incremental run
    reads and replaces only the raw partitions of its window.

    The newest copies are chosen on the narrow key columns alone, then only those rows' JSON is read and parsed:
    ranking rows together with their JSON would sort (and spill) the whole JSON of the history. A row is named by
    its file (hashed) and its row number in that file, and must still carry the chosen id. -#}
{% macro newest_raw_records(raw_table, id_column, record_column, structure, extra_columns=[]) -%}
with copies as (
    select
        id,
        date,
        updated_at,
        version,
        _ingested_at,
        hash(filename) as file_hash,
        file_row_number
    from {{ raw_table }}
    where {{ raw_partition_filter('date') }}
),

newest as (
    select
        id,
        file_hash,
        file_row_number
    from copies
    -- An object lives in one raw partition only (its created_at never changes), so ranking within the partition
    -- loses nothing.
    qualify {{ newest_copy_filter(partition_by='date, id') }}
),

source as (
    select
        *,
        hash(filename) as file_hash,
        file_row_number
    from {{ raw_table }}
    where {{ raw_partition_filter('date') }}
)

select
    source.id as {{ id_column }},
    source.location_id,
    source.date as raw_partition_date,
    source.created_at,
    source.updated_at,
    source.version,
    {%- for column in extra_columns %}
    source.{{ column }},
    {%- endfor %}
    {{ parse_record('source.raw_json', structure) }} as {{ record_column }},
    source._ingested_at as ingested_at
from source
semi join newest
    on
        source.file_hash = newest.file_hash
        and source.file_row_number = newest.file_row_number
        and source.id = newest.id
{%- endmacro %}

{#- For `qualify` on a table pulled incrementally (catalog, customers: full listings `snapshot_at=<time>` and the
    changes pulled between them `snapshot_at=<time>-changes`, ingestion/incremental.py): the newest copy of each
    id across every pull the lake holds. -#}
{% macro newest_pulled_copy_filter() -%}
    row_number() over (partition by id order by {{ newest_copy_order() }}, snapshot_at desc) = 1
{%- endmacro %}

{#- True for an object's newest copy when it is older than the newest full listing: the listing no longer holds
    the object and no pull has seen it since, so Square deleted it (deleted customers leave no other trace). -#}
{% macro missing_from_latest_full_listing() -%}
    snapshot_at < max(snapshot_at) filter (where not ends_with(snapshot_at, '-changes')) over ()
{%- endmacro %}

{#- The body of a staging model over a snapshot raw table (team members, inventory counts, disputes, gift cards,
    loyalty accounts, invoices): one row per id, its copy in the newest snapshot that lists it, parsed into a typed
    record (macros/square_records.sql); `is_deleted` when the latest snapshot no longer lists it (kept, so older
    facts still find it). `columns` are raw columns kept as they are. -#}
{% macro newest_snapshot_records(raw_table, id_column, record_column, structure, columns=[]) -%}
    select
        id as {{ id_column }},
        {%- for column in columns %}
        {{ column }},
        {%- endfor %}
        {{ parse_record('raw_json', structure) }} as {{ record_column }},
        {{ missing_from_latest_snapshot() }} as is_deleted,
        snapshot_at
    from {{ raw_table }}
    qualify {{ newest_snapshot_copy_filter() }}
{%- endmacro %}
