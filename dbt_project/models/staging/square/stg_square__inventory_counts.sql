{#- Current stock per variation, location and state from the snapshots (a count no longer listed is flagged). -#}
with counts as (
    {{ newest_snapshot_records(
        source('square_raw', 'inventory_counts'), id_column='inventory_count_id', record_column='count_record',
        structure=square_inventory_count(), columns=['location_id']
    ) }}
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
