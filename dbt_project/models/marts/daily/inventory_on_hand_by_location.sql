{{ config(restates_later_days=true) }}
{#- Daily stock (IN_STOCK units) per item variation and store: what it opened with (the stock at local midnight),
    what moved that day (received, sold, returned, wasted, transferred, other adjustments, counted) and what it
    closed with, for every day from the variation's first change at the store (or from the first day, for a
    variation the counts list but no change in the lake moved) to the last raw day pulled.

    A physical count sets the stock; the movements after it move it. Before the first count the lake holds,
    the level comes from the latest inventory counts snapshot: Square's count then, less the movements Square
    had recorded by then, is what the earlier history (before the first raw day) left in stock.

    Stock is cumulative: a change arriving late (an offline sale uploaded days later) changes every later day.
    So a run rebuilds the days from its window's first one to the last day with any change
    (`restates_later_days`, macros/replace_window_strategy.sql), from the whole history of changes. -#}
with changes as (
    select
        inventory_movement_id,
        location_id,
        catalog_object_id,
        business_date,
        occurred_at,
        recorded_at,
        movement,
        quantity,
        in_stock_delta,
        counted_quantity
    from {{ ref('fct_inventory_changes') }}
),

counts as (
    select
        location_id,
        catalog_object_id,
        quantity,
        snapshot_at
    from {{ ref('stg_square__inventory_counts') }}
    where inventory_state = 'IN_STOCK' and not is_deleted
),

-- The level before the first physical count in the lake: the snapshot's count less the movements recorded by
-- then (only when no count was recorded by then: a count is a better anchor).
levels_before_history as (
    select
        counts.location_id,
        counts.catalog_object_id,
        counts.quantity
        - coalesce(sum(changes.in_stock_delta) filter (where changes.recorded_at <= counts.snapshot_at), 0) as stock
    from counts
    left join changes
        on counts.location_id = changes.location_id and counts.catalog_object_id = changes.catalog_object_id
    group by counts.location_id, counts.catalog_object_id, counts.quantity
    having count(changes.counted_quantity) filter (where changes.recorded_at <= counts.snapshot_at) = 0
),

-- Counts split an item's history in segments: segment 0 before the first count, n after the n-th.
segments as (
    select
        *,
        row_number() over item_history as change_number,
        count(counted_quantity) over item_history as count_number
    from changes
    window item_history as (
        partition by location_id, catalog_object_id
        order by occurred_at, inventory_movement_id
        rows between unbounded preceding and current row
    )
),

stock_after_change as (
    select
        segments.*,
        coalesce(
            max(segments.counted_quantity) over segment,
            case when segments.count_number = 0 then levels_before_history.stock end,
            0
        )
        + sum(coalesce(segments.in_stock_delta, 0)) over (segment rows between unbounded preceding and current row)
            as stock_after
    from segments
    left join levels_before_history
        on
            segments.location_id = levels_before_history.location_id
            and segments.catalog_object_id = levels_before_history.catalog_object_id
    window segment as (
        partition by segments.location_id, segments.catalog_object_id, segments.count_number
        order by segments.change_number
    )
),

days_moved as (
    select
        location_id,
        catalog_object_id,
        business_date,
        arg_max(stock_after, change_number) as closing,
        sum(quantity) filter (where movement = 'receipt') as received,
        sum(quantity) filter (where movement = 'sale') as sold,
        sum(quantity) filter (where movement = 'return') as returned,
        sum(quantity) filter (where movement = 'waste') as waste,
        sum(quantity) filter (where movement = 'transfer_in') as transferred_in,
        sum(quantity) filter (where movement = 'transfer_out') as transferred_out,
        sum(quantity) filter (where movement = 'other_in') as other_in,
        sum(quantity) filter (where movement = 'other_out') as other_out,
        count(*) filter (where movement = 'count') as physical_counts
    from stock_after_change
    group by location_id, catalog_object_id, business_date
),

bounds as (
    select
        {{ restated_first_day() }} as first_day,
        greatest(max(business_date), {{ latest_raw_day('inventory_changes') }}) as last_day
    from days_moved
),

items as (
    -- A variation no change in the lake moved still has stock: the counts say how much, from the first day on.
    select
        location_id,
        catalog_object_id,
        min(first_moved) as first_moved
    from (
        select
            location_id,
            catalog_object_id,
            business_date as first_moved
        from days_moved
        union all
        select
            levels_before_history.location_id,
            levels_before_history.catalog_object_id,
            bounds.first_day as first_moved
        from levels_before_history
        cross join bounds
    ) as first_days
    group by location_id, catalog_object_id
),

spine as (
    select
        items.location_id,
        items.catalog_object_id,
        cast(
            unnest(generate_series(greatest(items.first_moved, bounds.first_day), bounds.last_day, interval 1 day))
            as date
        ) as business_date
    from items
    cross join bounds
),

-- The stock each item closed with before the first day rebuilt: on its last day with a change before it, else
-- what the earlier history left.
carried as (
    select
        items.location_id,
        items.catalog_object_id,
        coalesce(arg_max(days_moved.closing, days_moved.business_date), any_value(levels_before_history.stock))
            as closing
    from items
    cross join bounds
    left join days_moved
        on
            items.location_id = days_moved.location_id
            and items.catalog_object_id = days_moved.catalog_object_id
            and bounds.first_day > days_moved.business_date
    left join levels_before_history
        on
            items.location_id = levels_before_history.location_id
            and items.catalog_object_id = levels_before_history.catalog_object_id
    group by items.location_id, items.catalog_object_id
),

daily as (
    select
        spine.location_id,
        spine.catalog_object_id,
        spine.business_date,
        carried.closing as carried_closing,
        coalesce(days_moved.received, 0) as received,
        coalesce(days_moved.sold, 0) as sold,
        coalesce(days_moved.returned, 0) as returned,
        coalesce(days_moved.waste, 0) as waste,
        coalesce(days_moved.transferred_in, 0) as transferred_in,
        coalesce(days_moved.transferred_out, 0) as transferred_out,
        coalesce(days_moved.other_in, 0) as other_in,
        coalesce(days_moved.other_out, 0) as other_out,
        coalesce(days_moved.physical_counts, 0) as physical_counts,
        coalesce(
            last_value(days_moved.closing ignore nulls) over (
                partition by spine.location_id, spine.catalog_object_id
                order by spine.business_date
                rows between unbounded preceding and current row
            ),
            carried.closing
        ) as closing
    from spine
    left join days_moved
        on
            spine.location_id = days_moved.location_id
            and spine.catalog_object_id = days_moved.catalog_object_id
            and spine.business_date = days_moved.business_date
    left join carried
        on
            spine.location_id = carried.location_id
            and spine.catalog_object_id = carried.catalog_object_id
),

with_opening as (
    select
        *,
        coalesce(
            lag(closing) over (partition by location_id, catalog_object_id order by business_date),
            carried_closing,
            0
        ) as opening
    from daily
)

select
    location_id,
    catalog_object_id,
    business_date,
    opening,
    received,
    sold,
    returned,
    waste,
    transferred_in,
    transferred_out,
    other_in,
    other_out,
    -- What physical counts corrected: the closing stock beyond what the movements explain.
    closing - (opening + received + returned + transferred_in + other_in - sold - waste - transferred_out - other_out)
        as count_adjustment,
    physical_counts,
    closing
from with_opening
