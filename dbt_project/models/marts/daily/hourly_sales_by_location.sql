{#- Square's sales by hour of day: the Sales Summary per location, business day and local hour the order was
    created in (0-23, the store's own clock). -#}
{{ sales_summary_by('hour_of_day') }}
