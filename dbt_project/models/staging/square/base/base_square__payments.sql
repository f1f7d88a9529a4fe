{#- One row per payment id: the newest copy the lake holds (macros/newest_copies.sql). -#}
{{ newest_raw_copies(source('square_raw', 'payments'), id_column='payment_id', json_column='payment_json') }}
