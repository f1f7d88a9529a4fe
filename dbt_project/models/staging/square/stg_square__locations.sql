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
        {{ parse_record('raw_json', square_location()) }} as location_record,
        created_at,
        snapshot_at
    from latest_snapshot
)

select
    location_id,
    {{ record_text('location_record', 'name') }} as location_name,
    {{ record_text('location_record', 'business_name') }} as business_name,
    {{ record_text('location_record', 'timezone') }} as timezone,
    {{ record_text('location_record', 'currency') }} as currency,
    {{ record_text('location_record', 'country') }} as country,
    {{ record_text('location_record', 'status') }} as location_status,
    {{ record_text('location_record', 'type') }} as location_type,
    {{ record_text('location_record', 'address.locality') }} as city,
    {{ record_text('location_record', 'address.administrative_district_level_1') }} as region,
    created_at,
    strptime(snapshot_at, '%Y%m%dT%H%M%SZ') as snapshot_at
from parsed
