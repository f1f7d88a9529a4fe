"""Paying for a sale: the Payment object and the order's tender for it, by card or in cash."""

from __future__ import annotations

import dataclasses
import math
import random

import orjson

from square_sandbox.records import OrderFacts, PaymentFacts, Record, VersionTimes
from square_sandbox.sales import Sale, money, sale_order_record
from square_sandbox.timeutil import US_PER_SECOND, format_us
from square_sandbox.world import random_id

CARD_BRANDS = ["VISA", "VISA", "VISA", "MASTERCARD", "MASTERCARD", "AMERICAN_EXPRESS", "DISCOVER"]
ENTRY_METHODS = ["EMV", "EMV", "CONTACTLESS", "CONTACTLESS", "SWIPED"]
CAPABILITIES = ["EDIT_AMOUNT_UP", "EDIT_AMOUNT_DOWN", "EDIT_TIP_AMOUNT_UP", "EDIT_TIP_AMOUNT_DOWN"]


@dataclasses.dataclass(slots=True)
class Payment:
    body: dict  # the Payment JSON
    tender: dict  # the order's tender for it
    facts: PaymentFacts
    updated: int


@dataclasses.dataclass(slots=True)
class PaidSale:
    """A completed sale and its payment, as first recorded: what a refund later starts from."""

    sale: Sale
    order: dict  # the order JSON, tenders included
    order_facts: OrderFacts
    payment: Payment

    def first_versions(self, visible_until: int) -> list[Record]:
        visible_from = self.sale.slot.visible_from
        order_times = VersionTimes(self.sale.updated, visible_from, visible_until)
        payment_times = VersionTimes(self.payment.updated, visible_from, visible_until)
        return [
            sale_order_record(self.sale, self.order, self.order_facts, order_times),
            payment_record(self, self.payment.body, payment_times),
        ]


def take_payment(rng: random.Random, sale: Sale) -> Payment:
    payment_id = random_id(rng, 29)
    brand, last_4 = rng.choice(CARD_BRANDS), f"{rng.randrange(10000):04d}"
    slot, checkout = sale.slot, sale.checkout
    # An offline payment is updated by its upload; an online one is captured seconds after the order.
    updated = (
        slot.uploaded if slot.uploaded is not None else slot.created + rng.randrange(1, 5) * US_PER_SECOND
    )
    tender = _tender_json(sale, payment_id)
    payment = _payment_json(rng, sale, payment_id, updated)
    if checkout.customer_id:
        payment["customer_id"] = tender["customer_id"] = checkout.customer_id
    if checkout.is_card:
        payment["card_details"], tender["card_details"] = _card_details(rng, brand, last_4)
        fee = round(sale.total * 0.026) + 10
        payment["processing_fee"] = [
            {"effective_at": format_us(updated), "type": "INITIAL", "amount_money": money(fee)}
        ]
    else:
        payment["cash_details"], tender["cash_details"] = _cash_details(sale.total)
    if slot.uploaded is not None:
        payment["offline_payment_details"] = {"client_created_at": format_us(slot.created)}
    facts = PaymentFacts(
        order_id=sale.order_id,
        source_type=payment["source_type"],
        card_brand=brand if checkout.is_card else None,
        last_4=last_4 if checkout.is_card else None,
        offline_created=slot.created if slot.uploaded is not None else None,
    )
    return Payment(payment, tender, facts, updated)


def _tender_json(sale: Sale, payment_id: str) -> dict:
    tender = {
        "id": payment_id,  # Square gives a payment's tender the payment's id
        "location_id": sale.slot.location.id,
        "transaction_id": sale.order_id,
        "created_at": format_us(sale.slot.created),
        "amount_money": money(sale.amount),
        "type": "CARD" if sale.checkout.is_card else "CASH",
        "payment_id": payment_id,
    }
    if sale.checkout.tip:
        tender["tip_money"] = money(sale.checkout.tip)
    return tender


def _payment_json(rng: random.Random, sale: Sale, payment_id: str, updated: int) -> dict:
    register = sale.slot.register
    payment = {
        "id": payment_id,
        "created_at": format_us(sale.slot.created),
        "updated_at": format_us(updated),
        "amount_money": money(sale.amount),
        "total_money": money(sale.total),
        "approved_money": money(sale.total),
        "status": "COMPLETED",
        "source_type": "CARD" if sale.checkout.is_card else "CASH",
        "location_id": sale.slot.location.id,
        "order_id": sale.order_id,
        "receipt_number": payment_id[:4],
        "device_details": {"device_id": register, "device_name": register.rsplit("-", 1)[-1]},
        "capabilities": list(CAPABILITIES),
        "is_offline_payment": sale.slot.uploaded is not None,
        "version_token": random_id(rng, 40),
    }
    if sale.checkout.tip:
        payment["tip_money"] = money(sale.checkout.tip)
    return payment


def _card_details(rng: random.Random, brand: str, last_4: str) -> tuple[dict, dict]:
    """The payment's ``card_details`` and the tender's."""
    card = {
        "card_brand": brand,
        "last_4": last_4,
        "exp_month": rng.randint(1, 12),
        "exp_year": rng.randint(2027, 2031),
        "card_type": rng.choice(["CREDIT", "CREDIT", "DEBIT"]),
        "bin": f"{rng.randrange(400000, 560000)}",
    }
    entry = rng.choice(ENTRY_METHODS)
    payment_card = {
        "status": "CAPTURED",
        "card": card,
        "entry_method": entry,
        "cvv_status": "CVV_NOT_CHECKED",
        "avs_status": "AVS_NOT_CHECKED",
        "statement_description": "SQ *CORNER GOODS",
    }
    tender_card = {
        "status": "CAPTURED",
        "card": {"card_brand": brand, "last_4": last_4},
        "entry_method": entry,
    }
    return payment_card, tender_card


def _cash_details(total: int) -> tuple[dict, dict]:
    """The payment's ``cash_details`` and the tender's: the customer hands over the next multiple of $5."""
    tendered = math.ceil(total / 500.0) * 500
    payment_cash = {"buyer_supplied_money": money(tendered), "change_back_money": money(tendered - total)}
    tender_cash = {"buyer_tendered_money": money(tendered), "change_back_money": money(tendered - total)}
    return payment_cash, tender_cash


def payment_record(paid: PaidSale, body: dict, times: VersionTimes) -> Record:
    """One version of the sale's payment (``body`` is its JSON)."""
    return Record(
        id=body["id"],
        location_id=paid.sale.slot.location.id,
        created=paid.sale.slot.created,
        updated=times.updated,
        closed=None,
        visible_from=times.visible_from,
        visible_until=times.visible_until,
        state=body["status"],
        version=None,
        body=orjson.dumps(body),
        facts=paid.payment.facts,
        total=paid.sale.total,
    )
