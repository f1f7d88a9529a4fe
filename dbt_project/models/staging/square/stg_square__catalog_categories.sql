{#- The catalog's categories from the latest catalog snapshot (an item's reporting category names one). -#}
with categories as (
    {{ latest_catalog_objects(['CATEGORY']) }}
)

select
    catalog_object_id as category_id,
    {{ record_text('object_record', 'category_data.name') }} as category_name,
    is_deleted
from categories
