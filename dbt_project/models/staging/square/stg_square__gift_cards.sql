{#- Gift cards from the snapshots with their balance as of the snapshot. -#}
with source as (
    select * from {{ source('square_raw', 'gift_cards') }}
),

cards as (
    select
        id as gift_card_id,
        {{ parse_record('raw_json', square_gift_card()) }} as card_record,
        {{ missing_from_latest_snapshot() }} as is_deleted,
        created_at,
        snapshot_at
    from source
    qualify {{ newest_snapshot_copy_filter() }}
)

select
    gift_card_id,
    {{ record_text('card_record', 'type') }} as gift_card_type,
    {{ record_text('card_record', 'state') }} as gift_card_state,
    {{ record_text('card_record', 'gan_source') }} as gan_source,
    {{ record_text('card_record', 'balance_money.currency') }} as currency,
    {{ money_amount('card_record', 'balance_money') }} as balance_amount,
    is_deleted,
    created_at,
    strptime(snapshot_at, '%Y%m%dT%H%M%SZ') as snapshot_at
from cards
