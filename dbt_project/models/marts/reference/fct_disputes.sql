{#- One row per dispute (chargeback) in its latest state, on the store's local day it was reported. Rebuilt whole
    from the snapshots (Square lists disputes without a time filter); join fct_payments on payment_id for the
    sale disputed. -#}
with disputes as (
    select * from {{ ref('stg_square__disputes') }}
)

select
    disputes.dispute_id,
    disputes.payment_id,
    disputes.location_id,
    {{ location_business_date('disputes.reported_at') }} as reported_date,
    disputes.dispute_state,
    disputes.dispute_state in ('WON', 'LOST', 'ACCEPTED', 'INQUIRY_CLOSED') as is_closed,
    disputes.dispute_state in ('LOST', 'ACCEPTED') as is_lost,
    disputes.reason,
    disputes.card_brand,
    disputes.currency,
    disputes.amount,
    disputes.reported_at,
    disputes.due_at,
    disputes.dispute_version,
    disputes.is_deleted,
    disputes.created_at,
    disputes.updated_at
from disputes
{{ join_location_timezone('disputes') }}
