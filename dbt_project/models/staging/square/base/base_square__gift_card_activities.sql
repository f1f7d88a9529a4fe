{#- One row per gift card activity id: the newest copy the lake holds, parsed once (macros/newest_copies.sql). -#}
{{ newest_raw_records(
    source('square_raw', 'gift_card_activities'),
    id_column='activity_id',
    record_column='activity_record',
    structure=square_gift_card_activity()
) }}
