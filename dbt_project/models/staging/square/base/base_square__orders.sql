{#- One row per order id: the newest copy the lake holds, parsed once (macros/newest_copies.sql). -#}
{{ newest_raw_records(
    source('square_raw', 'orders'), id_column='order_id', record_column='order_record', structure=square_order()
) }}
