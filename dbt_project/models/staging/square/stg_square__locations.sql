{#- The current locations: the latest complete snapshot, one row per location. -#}
with source as (
    select * from {{ source('square_raw', 'locations') }}
),

latest_snapshot as (
    select * from source
    qualify {{ latest_snapshot_filter(copy_order='_ingested_at desc') }}
),

parsed as (
    select
        id as location_id,
        json(raw_json) as location_json,
        created_at,
        snapshot_at
    from latest_snapshot
)

select
    location_id,
    {{ json_text('location_json', 'name') }} as location_name,
    {{ json_text('location_json', 'business_name') }} as business_name,
    {{ json_text('location_json', 'timezone') }} as timezone,
    {{ json_text('location_json', 'currency') }} as currency,
    {{ json_text('location_json', 'country') }} as country,
    {{ json_text('location_json', 'status') }} as location_status,
    {{ json_text('location_json', 'type') }} as location_type,
    {{ json_text('location_json', 'address.locality') }} as city,
    {{ json_text('location_json', 'address.administrative_district_level_1') }} as region,
    created_at,
    strptime(snapshot_at, '%Y%m%dT%H%M%SZ') as snapshot_at
from parsed
