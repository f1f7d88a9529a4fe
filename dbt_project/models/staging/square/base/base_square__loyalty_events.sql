{#- One row per loyalty event id: the newest copy the lake holds, parsed once (macros/newest_copies.sql). -#}
{{ newest_raw_records(
    source('square_raw', 'loyalty_events'),
    id_column='event_id',
    record_column='event_record',
    structure=square_loyalty_event()
) }}
