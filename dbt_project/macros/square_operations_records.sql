{#- The shape of the chain's other Square objects (store operations and money beyond sales) as the staging models
    read them, like macros/square_records.sql for the sales objects: the fields they use, every leaf varchar. -#}

{% macro square_inventory_change() -%}
    {%- set detail = {
        'id': 'varchar', 'location_id': 'varchar', 'catalog_object_id': 'varchar', 'catalog_object_type': 'varchar',
        'quantity': 'varchar', 'occurred_at': 'varchar', 'created_at': 'varchar', 'team_member_id': 'varchar',
        'source': {'product': 'varchar'}
    } -%}
    {%- do return({
        'type': 'varchar',
        'adjustment': dict(detail, from_state='varchar', to_state='varchar', transaction_id='varchar',
                           refund_id='varchar', purchase_order_id='varchar', goods_receipt_id='varchar'),
        'physical_count': dict(detail, state='varchar'),
        'transfer': dict(detail, state='varchar', from_location_id='varchar', to_location_id='varchar')
    }) -%}
{%- endmacro %}

{% macro square_timecard() -%}
    {%- do return({
        'team_member_id': 'varchar', 'status': 'varchar', 'timezone': 'varchar',
        'start_at': 'varchar', 'end_at': 'varchar',
        'wage': {'title': 'varchar', 'job_id': 'varchar', 'hourly_rate': square_money()},
        'breaks': [{'start_at': 'varchar', 'end_at': 'varchar', 'is_paid': 'varchar', 'name': 'varchar'}]
    }) -%}
{%- endmacro %}

{% macro square_cash_drawer_shift() -%}
    {%- set money = square_money() -%}
    {%- do return({
        'state': 'varchar', 'description': 'varchar',
        'opened_at': 'varchar', 'ended_at': 'varchar', 'closed_at': 'varchar',
        'opened_cash_money': money, 'cash_payment_money': money, 'cash_refunds_money': money,
        'cash_paid_in_money': money, 'cash_paid_out_money': money, 'expected_cash_money': money,
        'closed_cash_money': money,
        'device': {'id': 'varchar', 'name': 'varchar'},
        'opening_team_member_id': 'varchar', 'ending_team_member_id': 'varchar', 'closing_team_member_id': 'varchar'
    }) -%}
{%- endmacro %}

{% macro square_cash_drawer_shift_event() -%}
    {%- do return({
        'event_type': 'varchar', 'event_money': square_money(), 'description': 'varchar', 'team_member_id': 'varchar'
    }) -%}
{%- endmacro %}

{% macro square_payout() -%}
    {%- do return({
        'status': 'varchar', 'type': 'varchar', 'arrival_date': 'varchar', 'amount_money': square_money(),
        'destination': {'type': 'varchar'}
    }) -%}
{%- endmacro %}

{% macro square_payout_entry() -%}
    {%- set money = square_money() -%}
    {%- do return({
        'payout_id': 'varchar', 'type': 'varchar', 'effective_at': 'varchar',
        'gross_amount_money': money, 'fee_amount_money': money, 'net_amount_money': money,
        'type_charge_details': {'payment_id': 'varchar'},
        'type_refund_details': {'payment_id': 'varchar', 'refund_id': 'varchar'}
    }) -%}
{%- endmacro %}

{% macro square_gift_card_activity() -%}
    {%- set money = square_money() -%}
    {%- set amount = {'amount_money': money} -%}
    {%- set record = {
        'type': 'varchar', 'gift_card_id': 'varchar', 'gift_card_gan': 'varchar', 'gift_card_balance_money': money,
        'redeem_activity_details': dict(amount, payment_id='varchar'),
        'refund_activity_details': dict(amount, payment_id='varchar')
    } -%}
    {%- for details in gift_card_activity_amounts().values() | sum(start=[]) -%}
        {%- do record.setdefault(details, amount) -%}
    {%- endfor -%}
    {%- do return(record) -%}
{%- endmacro %}

{#- The activities that carry their amount, by what they do to the card's balance. -#}
{% macro gift_card_activity_amounts() -%}
    {%- do return({
        'adds': ['activate_activity_details', 'load_activity_details', 'refund_activity_details',
                 'adjust_increment_activity_details', 'unlinked_activity_refund_activity_details',
                 'import_activity_details', 'transfer_balance_to_activity_details'],
        'takes': ['redeem_activity_details', 'adjust_decrement_activity_details',
                  'import_reversal_activity_details', 'transfer_balance_from_activity_details']
    }) -%}
{%- endmacro %}

{% macro square_loyalty_event() -%}
    {%- set points = {'points': 'varchar', 'order_id': 'varchar'} -%}
    {%- do return({
        'type': 'varchar', 'loyalty_account_id': 'varchar', 'source': 'varchar',
        'accumulate_points': points, 'accumulate_promotion_points': points,
        'adjust_points': {'points': 'varchar', 'reason': 'varchar'},
        'create_reward': {'points': 'varchar', 'reward_id': 'varchar'},
        'delete_reward': {'points': 'varchar', 'reward_id': 'varchar'},
        'redeem_reward': {'reward_id': 'varchar', 'order_id': 'varchar'},
        'expire_points': {'points': 'varchar'}
    }) -%}
{%- endmacro %}

{% macro square_team_member() -%}
    {%- do return({
        'given_name': 'varchar', 'family_name': 'varchar', 'email_address': 'varchar', 'status': 'varchar',
        'is_owner': 'varchar', 'reference_id': 'varchar',
        'assigned_locations': {'assignment_type': 'varchar', 'location_ids': ['varchar']},
        'wage_setting': {'job_assignments': [
            {'job_title': 'varchar', 'pay_type': 'varchar', 'hourly_rate': square_money()}
        ]}
    }) -%}
{%- endmacro %}

{% macro square_inventory_count() -%}
    {%- do return({
        'catalog_object_id': 'varchar', 'state': 'varchar', 'quantity': 'varchar', 'calculated_at': 'varchar'
    }) -%}
{%- endmacro %}

{% macro square_dispute() -%}
    {%- do return({
        'state': 'varchar', 'reason': 'varchar', 'card_brand': 'varchar', 'amount_money': square_money(),
        'disputed_payment': {'payment_id': 'varchar'}, 'reported_at': 'varchar', 'due_at': 'varchar'
    }) -%}
{%- endmacro %}

{% macro square_gift_card() -%}
    {%- do return({
        'type': 'varchar', 'state': 'varchar', 'gan_source': 'varchar', 'balance_money': square_money()
    }) -%}
{%- endmacro %}

{% macro square_loyalty_account() -%}
    {%- do return({
        'customer_id': 'varchar', 'program_id': 'varchar', 'balance': 'varchar', 'lifetime_points': 'varchar',
        'enrolled_at': 'varchar'
    }) -%}
{%- endmacro %}

{% macro square_invoice() -%}
    {%- set money = square_money() -%}
    {%- do return({
        'status': 'varchar', 'invoice_number': 'varchar', 'title': 'varchar', 'order_id': 'varchar',
        'primary_recipient': {'customer_id': 'varchar'},
        'payment_requests': [{
            'due_date': 'varchar', 'computed_amount_money': money, 'total_completed_amount_money': money
        }],
        'sale_or_service_date': 'varchar'
    }) -%}
{%- endmacro %}

{#- What an activity that carries its amount did to its card's balance (+ added, - taken); null for the others. -#}
{% macro signed_activity_amount(record) -%}
    {%- set amounts = gift_card_activity_amounts() -%}
    {%- set terms = [] -%}
    {%- for details in amounts['adds'] -%}
        {%- do terms.append('cast(' ~ record_text(record, details ~ '.amount_money.amount') ~ ' as bigint)') -%}
    {%- endfor -%}
    {%- for details in amounts['takes'] -%}
        {%- do terms.append('-cast(' ~ record_text(record, details ~ '.amount_money.amount') ~ ' as bigint)') -%}
    {%- endfor -%}
    coalesce({{ terms | join(', ') }})
{%- endmacro %}
