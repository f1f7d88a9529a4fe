{#- One row per inventory change id: the newest copy the lake holds, parsed once (macros/newest_copies.sql). -#}
{{ newest_raw_records(
    source('square_raw', 'inventory_changes'),
    id_column='change_id',
    record_column='change_record',
    structure=square_inventory_change()
) }}
