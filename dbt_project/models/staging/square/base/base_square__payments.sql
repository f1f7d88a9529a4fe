{#- One row per payment id: the newest copy the lake holds, parsed once (macros/newest_copies.sql). -#}
{{ newest_raw_records(
    source('square_raw', 'payments'), id_column='payment_id', record_column='payment_record', structure=square_payment()
) }}
