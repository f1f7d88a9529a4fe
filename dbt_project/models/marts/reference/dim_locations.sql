select
    location_id,
    location_name,
    business_name,
    timezone,
    currency,
    country,
    city,
    region,
    location_status,
    location_type,
    created_at,
    snapshot_at as as_of
from {{ ref('stg_square__locations') }}
