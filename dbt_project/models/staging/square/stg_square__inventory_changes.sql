{#- Inventory changes, one row per change, their detail read from whichever of `adjustment`, `physical_count` or
    `transfer` the change's type fills. Quantities are decimals (Square counts in units of measure). -#}
with changes as (
    select
        *,
        coalesce(
            {{ record_text('change_record', 'adjustment') }},
            {{ record_text('change_record', 'physical_count') }},
            {{ record_text('change_record', 'transfer') }}
        ) as detail
    from {{ ref('base_square__inventory_changes') }}
)

select
    change_id,
    {{ record_text('change_record', 'type') }} as change_type,
    location_id,
    {{ record_text('change_record', 'transfer.to_location_id') }} as to_location_id,
    {{ record_text('detail', 'catalog_object_id') }} as catalog_object_id,
    {{ record_text('detail', 'catalog_object_type') }} as catalog_object_type,
    {{ record_text('change_record', 'adjustment.from_state') }} as from_state,
    coalesce(
        {{ record_text('change_record', 'adjustment.to_state') }},
        {{ record_text('change_record', 'physical_count.state') }},
        {{ record_text('change_record', 'transfer.state') }}
    ) as to_state,
    cast({{ record_text('detail', 'quantity') }} as decimal(18, 5)) as quantity,
    {{ record_timestamp('detail', 'occurred_at') }} as occurred_at,
    created_at,
    {{ record_text('change_record', 'adjustment.transaction_id') }} as order_id,
    {{ record_text('change_record', 'adjustment.refund_id') }} as refund_id,
    {{ record_text('detail', 'team_member_id') }} as team_member_id,
    {{ record_text('detail', 'source.product') }} as source_product,
    raw_partition_date,
    ingested_at
from changes
