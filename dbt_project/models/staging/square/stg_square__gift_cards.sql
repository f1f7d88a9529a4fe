{#- Gift cards from the snapshots with their balance as of the snapshot. -#}
with cards as (
    {{ newest_snapshot_records(
        source('square_raw', 'gift_cards'), id_column='gift_card_id', record_column='card_record',
        structure=square_gift_card(), columns=['created_at']
    ) }}
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
