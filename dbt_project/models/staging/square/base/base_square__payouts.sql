{#- One row per payout id: the newest copy the lake holds, parsed once (macros/newest_copies.sql). -#}
{{ newest_raw_records(
    source('square_raw', 'payouts'),
    id_column='payout_id',
    record_column='payout_record',
    structure=square_payout()
) }}
