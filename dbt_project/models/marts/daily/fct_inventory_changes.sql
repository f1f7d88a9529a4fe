{#- One row per inventory change and location it moves stock at (a transfer moves it at two), on the business day
    it occurred in that location's time zone, with what it does to the IN_STOCK count: `in_stock_delta` for a
    movement, `counted_quantity` for a physical count (which sets the count). -#}
with changes as (
    select * from {{ ref('stg_square__inventory_changes') }}
    where {{ raw_partition_filter() }}
),

movements as (
    -- A transfer leaves one location and reaches another; every other change happens at one location.
    select
        *,
        case when change_type = 'TRANSFER' then 'out' end as transfer_side
    from changes
    union all
    select
        * replace (to_location_id as location_id),
        'in' as transfer_side
    from changes
    where change_type = 'TRANSFER'
),

classified as (
    select
        *,
        case
            when change_type = 'PHYSICAL_COUNT' then 'count'
            when transfer_side = 'out' then 'transfer_out'
            when transfer_side = 'in' then 'transfer_in'
            when from_state = 'IN_STOCK' and to_state = 'SOLD' then 'sale'
            when from_state = 'SOLD' and to_state = 'IN_STOCK' then 'return'
            when from_state = 'NONE' and to_state = 'IN_STOCK' then 'receipt'
            when from_state = 'IN_STOCK' and to_state = 'WASTE' then 'waste'
            when to_state = 'IN_STOCK' then 'other_in'
            when from_state = 'IN_STOCK' then 'other_out'
            else 'other'
        end as movement
    from movements
)

select
    classified.change_id || ':' || classified.location_id as inventory_movement_id,
    classified.change_id,
    classified.location_id,
    {{ location_business_date('classified.occurred_at') }} as business_date,
    classified.catalog_object_id,
    classified.change_type,
    classified.movement,
    classified.from_state,
    classified.to_state,
    classified.quantity,
    case
        when classified.movement in ('transfer_in', 'return', 'receipt', 'other_in') then classified.quantity
        when classified.movement in ('transfer_out', 'sale', 'waste', 'other_out') then -classified.quantity
        when classified.movement = 'other' then 0
    end as in_stock_delta,
    case when classified.movement = 'count' then classified.quantity end as counted_quantity,
    classified.occurred_at,
    classified.created_at as recorded_at,
    (epoch(classified.created_at) - epoch(classified.occurred_at)) / 60.0
    > {{ var('late_arrival_minutes') }} as is_recorded_late,
    classified.order_id,
    classified.refund_id,
    classified.team_member_id,
    classified.source_product,
    classified.raw_partition_date
from classified
{{ join_location_timezone('classified') }}
where {{ business_date_filter(location_business_date('classified.occurred_at')) }}
