{#- One row per payment, the newest copy (see base_square__orders). -#}
with source as (
    select * from {{ source('square_raw', 'payments') }}
)

select
    id as payment_id,
    location_id,
    date as raw_partition_date,
    created_at,
    updated_at,
    version,
    json(raw_json) as payment_json,
    _ingested_at as ingested_at
from source
qualify row_number() over (
        partition by date, id
        order by updated_at desc, version desc nulls last, _ingested_at desc
    ) = 1
