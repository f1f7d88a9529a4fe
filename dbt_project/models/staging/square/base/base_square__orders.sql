{#- One row per order: the newest copy the lake holds. A partition can repeat an order (pages read while it
    changed) and the lake keeps whatever Square returned, so "newest" is decided here: latest `updated_at`,
    then the highest `version` (orders rung up on POS may carry none), then the latest ingestion. -#}
with source as (
    select * from {{ source('square_raw', 'orders') }}
)

select
    id as order_id,
    location_id,
    date as raw_partition_date,
    created_at,
    updated_at,
    version,
    json(raw_json) as order_json,
    _ingested_at as ingested_at
from source
qualify row_number() over (
        -- An order lives in one raw partition only (its created_at never changes), so ranking within the
        -- partition loses nothing, and a filter on raw_partition_date still prunes whole files below this view.
        partition by date, id
        order by updated_at desc, version desc nulls last, _ingested_at desc
    ) = 1
