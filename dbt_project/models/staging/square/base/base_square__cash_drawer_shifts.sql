{#- One row per cash drawer shift id: the newest copy the lake holds, parsed once (macros/newest_copies.sql). -#}
{{ newest_raw_records(
    source('square_raw', 'cash_drawer_shifts'),
    id_column='shift_id',
    record_column='shift_record',
    structure=square_cash_drawer_shift()
) }}
