"""Top-level fields of the Square objects we land, for the schema-drift check.

DOCUMENTED: the properties of Order, Payment and PaymentRefund in Square's OpenAPI spec (Square-Version
2025-08-20; the contract is kept in tests/sandbox/square-openapi/api.json). A field outside this list means
Square's API changed under us.
REQUIRED: the fields the raw layout and the dbt models read. A row without one of them loses data downstream.
REQUIRED_UNLESS: fields required unless another one is there (a return order carries ``returns``, not
``line_items``; a sale without line items has no gross sales in the marts).
"""

from __future__ import annotations

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
}

REQUIRED = {
    "orders": ("id", "location_id", "created_at", "updated_at", "state", "total_money"),
    "payments": ("id", "location_id", "created_at", "updated_at", "status", "order_id", "amount_money"),
    "refunds": ("id", "location_id", "created_at", "status", "payment_id", "amount_money"),
}

REQUIRED_UNLESS = {
    "orders": {"line_items": "returns"},
    "payments": {},
    "refunds": {},
}
