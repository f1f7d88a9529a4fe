{#- Current stock per variation, location and state from the snapshots (a count no longer listed is flagged). -#}
with source as (
    select * from {{ source('square_raw', 'inventory_counts') }}
),

counts as (
    select
        id as inventory_count_id,
        location_id,
        {{ parse_record('raw_json', square_inventory_count()) }} as count_record,
        {{ missing_from_latest_snapshot() }} as is_deleted,
        snapshot_at
    from source
    qualify {{ newest_snapshot_copy_filter() }}
)

select
    inventory_count_id,
    location_id,
    {{ record_text('count_record', 'catalog_object_id') }} as catalog_object_id,
    {{ record_text('count_record', 'state') }} as inventory_state,
    cast({{ record_text('count_record', 'quantity') }} as decimal(18, 5)) as quantity,
    {{ record_timestamp('count_record', 'calculated_at') }} as calculated_at,
    is_deleted,
    strptime(snapshot_at, '%Y%m%dT%H%M%SZ') as snapshot_at
from counts
