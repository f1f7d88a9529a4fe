with line_items as (
    select * from {{ ref('int_square__order_line_items_located') }}
    where {{ raw_partition_filter() }}
)

select
    order_line_item_id,
    order_id,
    line_item_uid,
    line_type,
    source_order_id,
    source_line_item_uid,
    location_id,
    business_date,
    catalog_object_id,
    item_name,
    variation_name,
    item_type,
    quantity,
    currency,
    base_price_amount,
    gross_amount,
    discount_amount,
    tax_amount,
    service_charge_amount,
    total_amount,
    created_at,
    raw_partition_date
from line_items
where {{ business_date_filter() }}
