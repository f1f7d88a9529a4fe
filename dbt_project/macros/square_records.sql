{#- The shape of each Square object as the staging models read it: the fields they use, every leaf varchar
    (macros/square_json.sql). A field Square sends that is not listed here is simply not parsed; a field listed
    here that an object lacks is null. Field names follow Square's API reference. -#}

{% macro square_money() -%}
    {%- do return({'amount': 'varchar', 'currency': 'varchar'}) -%}
{%- endmacro %}

{% macro square_order_line_item() -%}
    {%- set money = square_money() -%}
    {%- do return({
        'uid': 'varchar', 'source_line_item_uid': 'varchar', 'name': 'varchar', 'variation_name': 'varchar',
        'catalog_object_id': 'varchar', 'item_type': 'varchar', 'quantity': 'varchar',
        'base_price_money': money, 'gross_sales_money': money, 'gross_return_money': money,
        'total_discount_money': money, 'total_tax_money': money, 'total_service_charge_money': money,
        'total_money': money
    }) -%}
{%- endmacro %}

{% macro square_order() -%}
    {%- set money = square_money() -%}
    {%- set line_item = square_order_line_item() -%}
    {%- do return({
        'customer_id': 'varchar', 'reference_id': 'varchar', 'source': {'name': 'varchar'}, 'state': 'varchar',
        'closed_at': 'varchar',
        'total_money': money, 'total_tax_money': money, 'total_discount_money': money,
        'total_tip_money': money, 'total_service_charge_money': money,
        'return_amounts': {
            'total_money': money, 'tax_money': money, 'discount_money': money, 'tip_money': money
        },
        'net_amounts': {'total_money': money},
        'line_items': [line_item],
        'returns': [{'source_order_id': 'varchar', 'return_line_items': [line_item]}]
    }) -%}
{%- endmacro %}

{% macro square_payment() -%}
    {%- set money = square_money() -%}
    {%- do return({
        'order_id': 'varchar', 'customer_id': 'varchar', 'status': 'varchar', 'source_type': 'varchar',
        'card_details': {'card': {'card_brand': 'varchar'}},
        'device_details': {'device_id': 'varchar'},
        'amount_money': money, 'tip_money': money, 'total_money': money, 'approved_money': money,
        'refunded_money': money,
        'processing_fee': [{'amount_money': money}],
        'is_offline_payment': 'varchar',
        'offline_payment_details': {'client_created_at': 'varchar'}
    }) -%}
{%- endmacro %}

{% macro square_refund() -%}
    {%- set money = square_money() -%}
    {%- do return({
        'payment_id': 'varchar', 'order_id': 'varchar', 'status': 'varchar', 'reason': 'varchar',
        'amount_money': money,
        'processing_fee': [{'amount_money': money}]
    }) -%}
{%- endmacro %}

{% macro square_location() -%}
    {%- do return({
        'name': 'varchar', 'business_name': 'varchar', 'timezone': 'varchar', 'currency': 'varchar',
        'country': 'varchar', 'status': 'varchar', 'type': 'varchar',
        'address': {'locality': 'varchar', 'administrative_district_level_1': 'varchar'}
    }) -%}
{%- endmacro %}

{% macro square_catalog_object() -%}
    {%- do return({
        'item_data': {
            'name': 'varchar', 'reporting_category': {'id': 'varchar'}, 'categories': [{'id': 'varchar'}],
            'category_id': 'varchar'
        },
        'item_variation_data': {
            'item_id': 'varchar', 'name': 'varchar', 'sku': 'varchar', 'pricing_type': 'varchar',
            'price_money': square_money()
        }
    }) -%}
{%- endmacro %}

{% macro square_customer() -%}
    {%- do return({
        'given_name': 'varchar', 'family_name': 'varchar', 'company_name': 'varchar',
        'email_address': 'varchar', 'phone_number': 'varchar', 'creation_source': 'varchar',
        'preferences': {'email_unsubscribed': 'varchar'}
    }) -%}
{%- endmacro %}
