"""Top-level fields of the Square objects we land, for the schema-drift check.

DOCUMENTED: the properties of each object (Order, Payment, PaymentRefund, InventoryChange, ...) in Square's OpenAPI
spec (Square-Version 2025-08-20; the contract is kept in tests/sandbox/square-openapi/api.json). A field outside
this list means Square's API changed under us.
REQUIRED: the fields the raw layout and the dbt models read. A row without one of them loses data downstream.
REQUIRED_UNLESS: fields required unless another one is there (a return order carries ``returns``, not
``line_items``; a sale without line items has no gross sales in the marts).
KNOWN_VALUES: the values of a type column the platform knows (Square's enums of that API version); an object of
another type (a newer API) is kept in the raw JSON and reported, never dropped.
"""

from __future__ import annotations


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


DOCUMENTED = {
    "orders": frozenset(
        [
            "closed_at",
            "created_at",
            "customer_id",
            "discounts",
            "fulfillments",
            "id",
            "line_items",
            "location_id",
            "metadata",
            "net_amount_due_money",
            "net_amounts",
            "pricing_options",
            "reference_id",
            "refunds",
            "return_amounts",
            "returns",
            "rewards",
            "rounding_adjustment",
            "service_charges",
            "source",
            "state",
            "taxes",
            "tenders",
            "ticket_name",
            "total_discount_money",
            "total_money",
            "total_service_charge_money",
            "total_tax_money",
            "total_tip_money",
            "updated_at",
            "version",
        ]
    ),
    "payments": frozenset(
        [
            "amount_money",
            "app_fee_money",
            "application_details",
            "approved_money",
            "bank_account_details",
            "billing_address",
            "buy_now_pay_later_details",
            "buyer_email_address",
            "capabilities",
            "card_details",
            "cash_details",
            "created_at",
            "customer_id",
            "delay_action",
            "delay_duration",
            "delayed_until",
            "device_details",
            "employee_id",
            "external_details",
            "id",
            "is_offline_payment",
            "location_id",
            "note",
            "offline_payment_details",
            "order_id",
            "processing_fee",
            "receipt_number",
            "receipt_url",
            "reference_id",
            "refund_ids",
            "refunded_money",
            "risk_evaluation",
            "shipping_address",
            "source_type",
            "square_account_details",
            "statement_description_identifier",
            "status",
            "team_member_id",
            "terminal_checkout_id",
            "tip_money",
            "total_money",
            "updated_at",
            "version_token",
            "wallet_details",
        ]
    ),
    "refunds": frozenset(
        [
            "amount_money",
            "app_fee_money",
            "created_at",
            "destination_details",
            "destination_type",
            "id",
            "location_id",
            "order_id",
            "payment_id",
            "processing_fee",
            "reason",
            "status",
            "team_member_id",
            "terminal_refund_id",
            "unlinked",
            "updated_at",
        ]
    ),
    "inventory_changes": _names(  # InventoryChange
        "adjustment measurement_unit measurement_unit_id physical_count transfer type"
    ),
    "timecards": _names(  # Timecard
        "breaks created_at declared_cash_tip_money end_at id location_id start_at status team_member_id "
        "timezone updated_at version wage"
    ),
    "cash_drawer_shifts": _names(  # CashDrawerShift
        "cash_paid_in_money cash_paid_out_money cash_payment_money cash_refunds_money closed_at "
        "closed_cash_money closing_team_member_id created_at description device ended_at "
        "ending_team_member_id expected_cash_money id location_id opened_at opened_cash_money "
        "opening_team_member_id state team_member_ids updated_at"
    ),
    "cash_drawer_shift_events": _names(  # CashDrawerShiftEvent
        "created_at description event_money event_type id team_member_id"
    ),
    "payouts": _names(  # Payout
        "amount_money arrival_date created_at destination end_to_end_id id location_id payout_fee status "
        "type updated_at version"
    ),
    "payout_entries": _names(  # PayoutEntry
        "effective_at fee_amount_money gross_amount_money id net_amount_money payout_id type "
        "type_app_fee_refund_details type_app_fee_revenue_details type_automatic_savings_details "
        "type_automatic_savings_reversed_details type_charge_details type_deposit_fee_details "
        "type_deposit_fee_reversed_details type_dispute_details type_fee_details "
        "type_free_processing_details type_hold_adjustment_details type_open_dispute_details "
        "type_other_adjustment_details type_other_details type_refund_details "
        "type_release_adjustment_details type_reserve_hold_details type_reserve_release_details "
        "type_square_capital_payment_details type_square_capital_reversed_payment_details "
        "type_square_payroll_transfer_details type_square_payroll_transfer_reversed_details "
        "type_tax_on_fee_details type_third_party_fee_details type_third_party_fee_refund_details"
    ),
    "gift_card_activities": _names(  # GiftCardActivity
        "activate_activity_details adjust_decrement_activity_details adjust_increment_activity_details "
        "block_activity_details clear_balance_activity_details created_at deactivate_activity_details "
        "gift_card_balance_money gift_card_gan gift_card_id id import_activity_details "
        "import_reversal_activity_details load_activity_details location_id redeem_activity_details "
        "refund_activity_details transfer_balance_from_activity_details "
        "transfer_balance_to_activity_details type unblock_activity_details "
        "unlinked_activity_refund_activity_details"
    ),
    "loyalty_events": _names(  # LoyaltyEvent
        "accumulate_points accumulate_promotion_points adjust_points create_reward created_at "
        "delete_reward expire_points id location_id loyalty_account_id other_event redeem_reward source "
        "type"
    ),
    "locations": _names(  # Location
        "address business_email business_hours business_name capabilities coordinates country created_at "
        "currency description facebook_url full_format_logo_url id instagram_username language_code "
        "logo_url mcc merchant_id name phone_number pos_background_url status tax_ids timezone "
        "twitter_username type website_url"
    ),
    "catalog": _names(  # CatalogObject
        "absent_at_location_ids availability_period_data catalog_v1_ids category_data "
        "custom_attribute_definition_data custom_attribute_values discount_data id image_data is_deleted "
        "item_data item_option_data item_option_value_data item_variation_data measurement_unit_data "
        "modifier_data modifier_list_data present_at_all_locations present_at_location_ids "
        "pricing_rule_data product_set_data quick_amounts_settings_data subscription_plan_data "
        "subscription_plan_variation_data tax_data time_period_data type updated_at version"
    ),
    "customers": _names(  # Customer
        "address birthday company_name created_at creation_source email_address family_name given_name "
        "group_ids id nickname note phone_number preferences reference_id segment_ids tax_ids updated_at "
        "version"
    ),
    "team_members": _names(  # TeamMember
        "assigned_locations created_at email_address family_name given_name id is_owner phone_number "
        "reference_id status updated_at wage_setting"
    ),
    "inventory_counts": _names(  # InventoryCount
        "calculated_at catalog_object_id catalog_object_type is_estimated location_id quantity state"
    ),
    "disputes": _names(  # Dispute
        "amount_money brand_dispute_id card_brand created_at dispute_id disputed_payment due_at "
        "evidence_ids id location_id reason reported_at reported_date state updated_at version"
    ),
    "gift_cards": _names(  # GiftCard
        "balance_money created_at customer_ids gan gan_source id state type"
    ),
    "loyalty_accounts": _names(  # LoyaltyAccount
        "balance created_at customer_id enrolled_at expiring_point_deadlines id lifetime_points mapping "
        "program_id updated_at"
    ),
    "invoices": _names(  # Invoice
        "accepted_payment_methods attachments created_at creator_team_member_id custom_fields "
        "delivery_method description id invoice_number location_id next_payment_amount_money order_id "
        "payment_conditions payment_requests primary_recipient public_url sale_or_service_date "
        "scheduled_at status store_payment_method_enabled subscription_id timezone title updated_at "
        "version"
    ),
}

REQUIRED = {
    "orders": ("id", "location_id", "created_at", "updated_at", "state", "total_money"),
    "payments": ("id", "location_id", "created_at", "updated_at", "status", "order_id", "amount_money"),
    "refunds": ("id", "location_id", "created_at", "status", "payment_id", "amount_money"),
    "inventory_changes": ("type",),
    "timecards": ("id", "location_id", "start_at", "status", "team_member_id", "wage"),
    "cash_drawer_shifts": (
        "id",
        "location_id",
        "opened_at",
        "state",
        "opened_cash_money",
        "cash_payment_money",
    ),
    "cash_drawer_shift_events": ("id", "event_type", "event_money", "created_at"),
    "payouts": ("id", "location_id", "created_at", "status", "amount_money"),
    "payout_entries": ("id", "payout_id", "type", "gross_amount_money", "net_amount_money", "effective_at"),
    "gift_card_activities": ("id", "type", "created_at", "gift_card_id", "gift_card_balance_money"),
    "loyalty_events": ("id", "type", "created_at", "loyalty_account_id"),
    "locations": ("id", "timezone", "currency"),
    "catalog": ("id", "type", "updated_at", "version"),
    "customers": ("id", "created_at", "updated_at"),
    "team_members": ("id", "status"),
    "inventory_counts": ("catalog_object_id", "location_id", "state", "quantity", "calculated_at"),
    "disputes": ("id", "state", "amount_money", "disputed_payment", "created_at"),
    "gift_cards": ("id", "state", "balance_money"),
    "loyalty_accounts": ("id", "balance"),
    "invoices": ("id", "location_id", "status"),
}

REQUIRED_UNLESS = {"orders": {"line_items": "returns"}}

KNOWN_VALUES = {
    "inventory_changes": {"type": _names("PHYSICAL_COUNT ADJUSTMENT TRANSFER")},
    "cash_drawer_shift_events": {
        "event_type": _names(
            "NO_SALE CASH_TENDER_PAYMENT OTHER_TENDER_PAYMENT CASH_TENDER_CANCELLED_PAYMENT "
            "OTHER_TENDER_CANCELLED_PAYMENT CASH_TENDER_REFUND OTHER_TENDER_REFUND PAID_IN PAID_OUT"
        )
    },
    "payout_entries": {
        "type": _names(
            "ADJUSTMENT APP_FEE_REFUND APP_FEE_REVENUE AUTOMATIC_SAVINGS AUTOMATIC_SAVINGS_REVERSED CHARGE "
            "DEPOSIT_FEE DEPOSIT_FEE_REVERSED DISPUTE ESCHEATMENT FEE FREE_PROCESSING HOLD_ADJUSTMENT "
            "INITIAL_BALANCE_CHANGE MONEY_TRANSFER MONEY_TRANSFER_REVERSAL OPEN_DISPUTE OTHER OTHER_ADJUSTMENT "
            "PAID_SERVICE_FEE PAID_SERVICE_FEE_REFUND REDEMPTION_CODE REFUND RELEASE_ADJUSTMENT RESERVE_HOLD "
            "RESERVE_RELEASE RETURNED_PAYOUT SQUARE_CAPITAL_PAYMENT SQUARE_CAPITAL_REVERSED_PAYMENT "
            "SUBSCRIPTION_FEE SUBSCRIPTION_FEE_PAID_REFUND SUBSCRIPTION_FEE_REFUND TAX_ON_FEE THIRD_PARTY_FEE "
            "THIRD_PARTY_FEE_REFUND PAYOUT AUTOMATIC_BITCOIN_CONVERSIONS AUTOMATIC_BITCOIN_CONVERSIONS_REVERSED "
            "CREDIT_CARD_REPAYMENT CREDIT_CARD_REPAYMENT_REVERSED LOCAL_OFFERS_CASHBACK LOCAL_OFFERS_FEE "
            "PERCENTAGE_PROCESSING_ENROLLMENT PERCENTAGE_PROCESSING_DEACTIVATION PERCENTAGE_PROCESSING_REPAYMENT "
            "PERCENTAGE_PROCESSING_REPAYMENT_REVERSED PROCESSING_FEE PROCESSING_FEE_REFUND "
            "UNDO_PROCESSING_FEE_REFUND GIFT_CARD_LOAD_FEE GIFT_CARD_LOAD_FEE_REFUND "
            "UNDO_GIFT_CARD_LOAD_FEE_REFUND BALANCE_FOLDERS_TRANSFER BALANCE_FOLDERS_TRANSFER_REVERSED "
            "GIFT_CARD_POOL_TRANSFER GIFT_CARD_POOL_TRANSFER_REVERSED SQUARE_PAYROLL_TRANSFER "
            "SQUARE_PAYROLL_TRANSFER_REVERSED"
        )
    },
    "gift_card_activities": {
        "type": _names(
            "ACTIVATE LOAD REDEEM CLEAR_BALANCE DEACTIVATE ADJUST_INCREMENT ADJUST_DECREMENT REFUND "
            "UNLINKED_ACTIVITY_REFUND IMPORT BLOCK UNBLOCK IMPORT_REVERSAL TRANSFER_BALANCE_FROM "
            "TRANSFER_BALANCE_TO"
        )
    },
    "loyalty_events": {
        "type": _names(
            "ACCUMULATE_POINTS CREATE_REWARD REDEEM_REWARD DELETE_REWARD ADJUST_POINTS EXPIRE_POINTS OTHER "
            "ACCUMULATE_PROMOTION_POINTS"
        )
    },
    "catalog": {
        "type": _names(
            "ITEM IMAGE CATEGORY ITEM_VARIATION TAX DISCOUNT MODIFIER_LIST MODIFIER PRICING_RULE PRODUCT_SET "
            "TIME_PERIOD MEASUREMENT_UNIT SUBSCRIPTION_PLAN_VARIATION ITEM_OPTION ITEM_OPTION_VAL "
            "CUSTOM_ATTRIBUTE_DEFINITION QUICK_AMOUNTS_SETTINGS SUBSCRIPTION_PLAN AVAILABILITY_PERIOD"
        )
    },
}
