"""A customer brings items back: a return order, a PaymentRefund, and new versions of the sale showing them."""

from __future__ import annotations

import dataclasses
import random

import orjson

from square_sandbox.payments import PaidSale, payment_record
from square_sandbox.records import NEVER, OrderFacts, Record, RefundFacts, VersionTimes
from square_sandbox.sales import SOURCE_NAME, LineAmounts, SaleSlot, money, order_amounts, sale_order_record
from square_sandbox.timeutil import US_PER_DAY, US_PER_HOUR, US_PER_SECOND, format_us
from square_sandbox.world import entity_id, random_id

REASON = "Returned goods"


@dataclasses.dataclass(slots=True)
class Return:
    order_id: str  # the return order's
    refund_id: str
    line_items: list[dict]  # the return order's return_line_items JSON
    amounts: LineAmounts  # of the returned lines; the refund is their total
    at: int  # when the customer came back: created_at of the return order and the refund
    completed: int  # when Square had recorded it all: their updated_at


def refund_time(rng: random.Random, refund_share: float, slot: SaleSlot) -> int | None:
    """When the customer of this sale comes back, 1-14 days later and after the sale's upload (or never)."""
    if rng.random() >= refund_share:
        return None
    at = slot.created + rng.randint(1, 14) * US_PER_DAY + rng.randrange(-4, 4) * US_PER_HOUR
    if at <= slot.visible_from + US_PER_HOUR:
        at = slot.visible_from + 2 * US_PER_HOUR + rng.randrange(0, 3600) * US_PER_SECOND
    return at // 1000 * 1000


def refund(rng: random.Random, paid: PaidSale, refund_at: int) -> list[Record]:
    """The sale's versions after the refund, the return order and the PaymentRefund."""
    taken_back = _take_back(rng, paid, refund_at)
    return_order = _return_order_json(rng, paid, taken_back)
    refund_body = _refund_json(paid, taken_back)
    refunded_order = _refunded_sale_order_json(paid, taken_back)
    refunded_payment = _refunded_payment_json(rng, paid, taken_back)
    refunded = VersionTimes(taken_back.completed, visible_from=taken_back.at)
    return [
        sale_order_record(paid.sale, refunded_order, paid.order_facts, refunded),
        payment_record(paid, refunded_payment, refunded),
        _return_order_record(paid, taken_back, return_order),
        _refund_record(paid, taken_back, refund_body),
    ]


def _take_back(rng: random.Random, paid: PaidSale, refund_at: int) -> Return:
    basket, slot = paid.sale.basket, paid.sale.slot
    count = len(basket.line_items)
    returned = sorted(rng.sample(range(count), k=rng.randint(1, count)))
    order_id = entity_id(rng, slot.location.index, slot.day)
    refund_id = f"{paid.payment.body['id']}_{random_id(rng, 20)}"
    line_items = [_return_line_item(rng, basket.line_items[index], basket.lines[index]) for index in returned]
    amounts = LineAmounts.sum([basket.lines[index] for index in returned])
    completed = refund_at + rng.randrange(1, 30) * US_PER_SECOND
    return Return(order_id, refund_id, line_items, amounts, refund_at, completed)


def _return_line_item(rng: random.Random, line: dict, amounts: LineAmounts) -> dict:
    """The whole line comes back (its quantity, discount and tax)."""
    return_line = {
        "uid": random_id(rng, 22),
        "source_line_item_uid": line["uid"],
        "name": line["name"],
        "quantity": line["quantity"],
        "catalog_object_id": line["catalog_object_id"],
        "catalog_version": line["catalog_version"],
        "variation_name": line["variation_name"],
        "item_type": "ITEM",
        "base_price_money": line["base_price_money"],
        "variation_total_price_money": line["variation_total_price_money"],
        "gross_return_money": money(amounts.gross),
        "total_tax_money": money(amounts.tax),
        "total_discount_money": money(amounts.discount),
        "total_money": money(amounts.total),
    }
    for key in ("applied_taxes", "applied_discounts"):
        if key in line:
            return_line[key] = line[key]
    return return_line


def _return_amounts(taken_back: Return) -> dict:
    amounts = taken_back.amounts
    return order_amounts(amounts.total, amounts.tax, amounts.discount, 0)


def _return_order_json(rng: random.Random, paid: PaidSale, taken_back: Return) -> dict:
    amounts = taken_back.amounts
    return_order = {
        "id": taken_back.order_id,
        "location_id": paid.sale.slot.location.id,
        "source": {"name": SOURCE_NAME},
        "returns": [_order_return(rng, paid, taken_back)],
        "return_amounts": _return_amounts(taken_back),
        "net_amounts": order_amounts(-amounts.total, -amounts.tax, -amounts.discount, 0),
        "created_at": format_us(taken_back.at),
        "updated_at": format_us(taken_back.completed),
        "closed_at": format_us(taken_back.completed),
        "state": "COMPLETED",
        "version": 3,
        "total_money": money(0),
        "total_tax_money": money(0),
        "total_discount_money": money(0),
        "total_tip_money": money(0),
        "total_service_charge_money": money(0),
        "net_amount_due_money": money(0),
    }
    if "customer_id" in paid.order:
        return_order["customer_id"] = paid.order["customer_id"]
    return return_order


def _order_return(rng: random.Random, paid: PaidSale, taken_back: Return) -> dict:
    """The return order's ``returns[0]``: what came back from which sale, with its share of tax and discount."""
    order, amounts = paid.order, taken_back.amounts
    order_return = {
        "uid": random_id(rng, 22),
        "source_order_id": paid.sale.order_id,
        "return_line_items": taken_back.line_items,
        "return_amounts": _return_amounts(taken_back),
    }
    if "taxes" in order:
        order_return["return_taxes"] = [_returned(rng, order["taxes"][0], "source_tax_uid", amounts.tax)]
    if "discounts" in order:
        order_return["return_discounts"] = [
            _returned(rng, order["discounts"][0], "source_discount_uid", amounts.discount)
        ]
    return order_return


def _returned(rng: random.Random, source: dict, source_uid_key: str, applied: int) -> dict:
    """A return order's ``return_taxes`` / ``return_discounts`` entry for the sale's tax or discount."""
    return {
        "uid": random_id(rng, 22),
        source_uid_key: source["uid"],
        "catalog_object_id": source["catalog_object_id"],
        "catalog_version": source["catalog_version"],
        "name": source["name"],
        "type": source["type"],
        "percentage": source["percentage"],
        "applied_money": money(applied),
        "scope": source["scope"],
    }


def _refund_json(paid: PaidSale, taken_back: Return) -> dict:
    payment = paid.payment.body
    return {
        "id": taken_back.refund_id,
        "status": "COMPLETED",
        "location_id": paid.sale.slot.location.id,
        "amount_money": money(taken_back.amounts.total),
        "payment_id": payment["id"],
        "order_id": taken_back.order_id,
        "reason": REASON,
        "created_at": format_us(taken_back.at),
        "updated_at": format_us(taken_back.completed),
        "destination_type": payment["source_type"],
    }


def _refunded_sale_order_json(paid: PaidSale, taken_back: Return) -> dict:
    """The sale as Square shows it after the refund: a new version with the refund and the returned amounts."""
    sale, refunded = paid.sale, taken_back.amounts
    order = dict(paid.order)
    order["updated_at"] = format_us(taken_back.completed)
    order["version"] = paid.order["version"] + 1
    order["refunds"] = [
        {
            "id": taken_back.refund_id,
            "location_id": sale.slot.location.id,
            "transaction_id": sale.order_id,
            "tender_id": paid.order["tenders"][0]["id"],
            "created_at": format_us(taken_back.at),
            "reason": REASON,
            "amount_money": money(refunded.total),
            "status": "APPROVED",
        }
    ]
    order["return_amounts"] = _return_amounts(taken_back)
    totals = sale.basket.totals
    order["net_amounts"] = order_amounts(
        sale.total - refunded.total,
        totals.tax - refunded.tax,
        totals.discount - refunded.discount,
        sale.checkout.tip,
    )
    return order


def _refunded_payment_json(rng: random.Random, paid: PaidSale, taken_back: Return) -> dict:
    payment = dict(paid.payment.body)
    payment["updated_at"] = format_us(taken_back.completed)
    payment["refunded_money"] = money(taken_back.amounts.total)
    payment["refund_ids"] = [taken_back.refund_id]
    payment["version_token"] = random_id(rng, 40)
    return payment


def _return_order_record(paid: PaidSale, taken_back: Return, body: dict) -> Record:
    amounts = taken_back.amounts
    return Record(
        id=taken_back.order_id,
        location_id=paid.sale.slot.location.id,
        created=taken_back.at,
        updated=taken_back.completed,
        closed=taken_back.completed,
        visible_from=taken_back.at,
        visible_until=NEVER,
        state=body["state"],
        version=body["version"],
        body=orjson.dumps(body),
        facts=OrderFacts(amounts.gross, amounts.discount, amounts.tax, tip=0, is_return=True),
        total=0,  # a return order's total_money is 0; the money moves in the PaymentRefund
    )


def _refund_record(paid: PaidSale, taken_back: Return, body: dict) -> Record:
    return Record(
        id=taken_back.refund_id,
        location_id=paid.sale.slot.location.id,
        created=taken_back.at,
        updated=taken_back.completed,
        closed=None,
        visible_from=taken_back.at,
        visible_until=NEVER,
        state=body["status"],
        version=None,
        body=orjson.dumps(body),
        facts=RefundFacts(body["payment_id"], taken_back.order_id, body["destination_type"]),
        total=taken_back.amounts.total,
    )
