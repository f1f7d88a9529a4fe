{#- One row per payout entry id: the newest copy the lake holds, parsed once (macros/newest_copies.sql). -#}
{{ newest_raw_records(
    source('square_raw', 'payout_entries'),
    id_column='entry_id',
    record_column='entry_record',
    structure=square_payout_entry()
) }}
