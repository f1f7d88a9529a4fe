{#- One row per refund id: the newest copy the lake holds, parsed once (macros/newest_copies.sql). -#}
{{ newest_raw_records(
    source('square_raw', 'refunds'), id_column='refund_id', record_column='refund_record', structure=square_refund()
) }}
