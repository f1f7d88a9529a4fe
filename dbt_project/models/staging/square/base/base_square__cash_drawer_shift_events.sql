{#- One row per cash drawer shift event id, with the shift it was listed for (macros/newest_copies.sql). -#}
{{ newest_raw_records(
    source('square_raw', 'cash_drawer_shift_events'),
    id_column='event_id',
    record_column='event_record',
    structure=square_cash_drawer_shift_event(),
    extra_columns=['cash_drawer_shift_id']
) }}
