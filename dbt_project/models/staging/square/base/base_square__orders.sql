{#- One row per order id: the newest copy the lake holds (macros/newest_copies.sql). -#}
{{ newest_raw_copies(source('square_raw', 'orders'), id_column='order_id', json_column='order_json') }}
