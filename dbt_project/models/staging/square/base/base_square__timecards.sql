{#- One row per timecard id: the newest copy the lake holds, parsed once (macros/newest_copies.sql). -#}
{{ newest_raw_records(
    source('square_raw', 'timecards'),
    id_column='timecard_id',
    record_column='timecard_record',
    structure=square_timecard()
) }}
