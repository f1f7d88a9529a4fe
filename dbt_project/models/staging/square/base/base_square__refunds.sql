{#- One row per refund id: the newest copy the lake holds (macros/newest_copies.sql). -#}
{{ newest_raw_copies(source('square_raw', 'refunds'), id_column='refund_id', json_column='refund_json') }}
