{#- The catalog's modifiers with the modifier list they belong to, from the latest catalog snapshot. -#}
with parsed as (
    {{ latest_catalog_objects(['MODIFIER', 'MODIFIER_LIST']) }}
),

modifiers as (
    select * from parsed
    where object_type = 'MODIFIER'
),

modifier_lists as (
    select * from parsed
    where object_type = 'MODIFIER_LIST'
)

select
    modifiers.catalog_object_id as modifier_id,
    {{ record_text('modifiers.object_record', 'modifier_data.name') }} as modifier_name,
    {{ record_text('modifiers.object_record', 'modifier_data.modifier_list_id') }} as modifier_list_id,
    {{ record_text('modifier_lists.object_record', 'modifier_list_data.name') }} as modifier_list_name,
    {{ record_text('modifiers.object_record', 'modifier_data.price_money.currency') }} as currency,
    cast(
        {{ record_text('modifiers.object_record', 'modifier_data.price_money.amount') }} as bigint
    ) as price_amount,
    modifiers.is_deleted
from modifiers
left join modifier_lists
    on {{ record_text('modifiers.object_record', 'modifier_data.modifier_list_id') }} = modifier_lists.catalog_object_id
