"""One sale at the till: the basket and its prices, how the customer pays, and the order Square records.

Every draw comes from the location-day's generator in a fixed order, so the same seed rings up the same sales.
The parameter objects are slotted dataclasses, not frozen ones (a day builds thousands; frozen ones build slower).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

from square_sandbox.catalog import CatalogDiscount
from square_sandbox.ids import entity_id, random_id
from square_sandbox.pricing import LineAmounts, LineChoice, price_lines
from square_sandbox.records import OrderFacts, Record, VersionTimes, stored_json
from square_sandbox.team import Rota
from square_sandbox.timeutil import US_PER_SECOND, format_us
from square_sandbox.world import Location, World

CURRENCY = "USD"
SOURCE_NAME = "Square Point of Sale"  # every sale is rung up at a register
# Square's tender types and how often customers pay with each (a gift card only when a due card has enough).
TENDER_SHARES = [("CARD", 0.72), ("CASH", 0.18), ("SQUARE_GIFT_CARD", 0.05), ("OTHER", 0.05)]
ORDER_DISCOUNT_SHARE = 0.15
LINE_DISCOUNT_SHARE = 0.06
MODIFIER_SHARE = 0.3


def money(amount: int) -> dict:
    return {"amount": amount, "currency": CURRENCY}


def order_amounts(total: int, tax: int, discount: int, tip: int) -> dict:
    """Square's ``OrderMoneyAmounts`` (``net_amounts``, ``return_amounts``)."""
    return {
        "total_money": money(total),
        "tax_money": money(tax),
        "discount_money": money(discount),
        "tip_money": money(tip),
        "service_charge_money": money(0),
    }


@dataclasses.dataclass(slots=True)
class SaleSlot:
    """Where, when and by whom a sale is rung up; ``uploaded`` is when an offline register sent it (else None)."""

    location: Location
    day: dt.date
    created: int
    register: str
    uploaded: int | None
    rota: Rota

    @property
    def visible_from(self) -> int:
        return self.created if self.uploaded is None else self.uploaded


@dataclasses.dataclass(slots=True)
class Basket:
    tax_rate: float
    tax_uid: str
    order_discount: CatalogDiscount | None
    order_discount_uid: str | None
    line_discount_uid: str | None  # set when a line carries the line-item discount
    choices: list[LineChoice]
    lines: list[LineAmounts]  # in the same order
    line_items: list[dict]  # the order's line_items JSON, in the same order
    totals: LineAmounts


@dataclasses.dataclass(slots=True)
class Checkout:
    """How the sale ends at the till."""

    canceled: bool
    tender: str  # the tender the customer offers (a gift card may turn out to be short: then CARD)
    tip: int
    closed: int
    customer_id: str | None
    team_member_id: str


@dataclasses.dataclass(slots=True)
class Sale:
    slot: SaleSlot
    order_id: str
    basket: Basket
    checkout: Checkout
    amount: int = dataclasses.field(init=False)  # what the goods cost, tax included (payment amount_money)
    total: int = dataclasses.field(init=False)  # with the tip

    def __post_init__(self) -> None:
        self.amount = self.basket.totals.total
        self.total = self.amount + self.checkout.tip

    @property
    def updated(self) -> int:
        return self.checkout.closed if self.slot.uploaded is None else self.slot.uploaded


# -- ringing up --------------------------------------------------------------------------------------------


def ring_up(rng: random.Random, world: World, slot: SaleSlot) -> Sale:
    order_id = entity_id(rng, slot.location.index, slot.day)
    basket = _choose_basket(rng, world, slot.location)
    checkout = _check_out(rng, world, slot, basket.totals.total)
    return Sale(slot, order_id, basket, checkout)


def _choose_basket(rng: random.Random, world: World, location: Location) -> Basket:
    catalog = world.catalog
    tax_uid = random_id(rng, 22)
    order_discount = rng.choice(catalog.order_discounts) if rng.random() < ORDER_DISCOUNT_SHARE else None
    order_discount_uid = random_id(rng, 22) if order_discount else None
    variations = rng.choices(
        catalog.variations, catalog.variation_weights, k=1 + min(int(rng.expovariate(0.7)), 7)
    )
    choices = []
    for variation in variations:
        quantity = 1 if rng.random() < 0.8 else rng.randint(2, 4)
        modifiers = []
        if variation.modifier_lists and rng.random() < MODIFIER_SHARE:
            modifiers.append(rng.choice(rng.choice(variation.modifier_lists).modifiers))
        choices.append(LineChoice(variation, quantity, modifiers, rng.random() < LINE_DISCOUNT_SHARE))
    line_discount_uid = random_id(rng, 22) if any(choice.discounted for choice in choices) else None
    tax_rate = float(location.tax_percentage) / 100.0
    lines = price_lines(choices, catalog.line_discount, order_discount, tax_rate)
    basket = Basket(tax_rate, tax_uid, order_discount, order_discount_uid, line_discount_uid, choices, lines, [],
                    LineAmounts.sum(lines))  # fmt: skip
    basket.line_items = [
        _line_item(rng, world, basket, choice, amounts)
        for choice, amounts in zip(choices, lines, strict=True)
    ]
    return basket


def _line_item(
    rng: random.Random, world: World, basket: Basket, choice: LineChoice, amounts: LineAmounts
) -> dict:
    variation, version = choice.variation, world.catalog_version
    line = {
        "uid": random_id(rng, 22),
        "name": variation.item_name,
        "quantity": str(choice.quantity),
        "catalog_object_id": variation.id,
        "catalog_version": version,
        "variation_name": variation.name,
        "item_type": "ITEM",
    }
    if choice.modifiers:
        line["modifiers"] = [
            {
                "uid": random_id(rng, 22),
                "catalog_object_id": modifier.id,
                "catalog_version": version,
                "name": modifier.name,
                "quantity": "1",
                "base_price_money": money(modifier.price),
                "total_price_money": money(modifier.price * choice.quantity),
            }
            for modifier in choice.modifiers
        ]
    line.update(
        base_price_money=money(variation.price),
        variation_total_price_money=money(variation.price * choice.quantity),
        gross_sales_money=money(amounts.gross),
        total_tax_money=money(amounts.tax),
        total_discount_money=money(amounts.discount),
        total_money=money(amounts.total),
        total_service_charge_money=money(0),
    )
    if basket.tax_rate > 0:
        line["applied_taxes"] = [
            {"uid": random_id(rng, 22), "tax_uid": basket.tax_uid, "applied_money": money(amounts.tax)}
        ]
    applied = []
    if choice.discounted:
        applied.append((basket.line_discount_uid, amounts.line_discount))
    if basket.order_discount:
        applied.append((basket.order_discount_uid, amounts.order_discount))
    if applied:
        line["applied_discounts"] = [
            {"uid": random_id(rng, 22), "discount_uid": uid, "applied_money": money(amount)}
            for uid, amount in applied
        ]
    return line


def _check_out(rng: random.Random, world: World, slot: SaleSlot, amount: int) -> Checkout:
    canceled = rng.random() < world.config.canceled_share
    tender = _tender(rng.random())
    tip = 0
    if tender == "CARD" and not canceled and rng.random() < 0.18:
        tip = max(100, round(amount * rng.choice([0.1, 0.15, 0.2]) / 25) * 25)
    closed = slot.created + rng.randrange(20, 240) * US_PER_SECOND
    returning_customer = bool(world.old_customer_ids) and rng.random() < 0.25
    customer_id = rng.choice(world.old_customer_ids) if returning_customer else None
    team_member = rng.choice(slot.rota.on_duty(slot.created))
    return Checkout(canceled, tender, tip, closed, customer_id, team_member.id)


def _tender(roll: float) -> str:
    for tender, share in TENDER_SHARES:
        if roll < share:
            return tender
        roll -= share
    return "CARD"


# -- the order Square records ------------------------------------------------------------------------------


def order_json(world: World, sale: Sale) -> dict:
    """The order as first recorded (a paid sale gets its ``tenders`` when the payment is taken)."""
    totals, canceled = sale.basket.totals, sale.checkout.canceled
    order = {
        "id": sale.order_id,
        "location_id": sale.slot.location.id,
        "source": {"name": SOURCE_NAME},
        "line_items": sale.basket.line_items,
        "created_at": format_us(sale.slot.created),
        "updated_at": format_us(sale.updated),
        "closed_at": format_us(sale.checkout.closed),
        "state": "CANCELED" if canceled else "COMPLETED",
        "version": 1 if canceled else 4,
        "total_money": money(sale.total),
        "total_tax_money": money(totals.tax),
        "total_discount_money": money(totals.discount),
        "total_tip_money": money(sale.checkout.tip),
        "total_service_charge_money": money(0),
        "net_amounts": order_amounts(sale.total, totals.tax, totals.discount, sale.checkout.tip),
        "net_amount_due_money": money(0 if not canceled else sale.total),
    }
    if sale.checkout.customer_id:
        order["customer_id"] = sale.checkout.customer_id
    if sale.basket.tax_rate > 0:
        order["taxes"] = [_order_tax(world, sale)]
    discounts = _order_discounts(world, sale)
    if discounts:
        order["discounts"] = discounts
    return order


def _order_tax(world: World, sale: Sale) -> dict:
    location = sale.slot.location
    return {
        "uid": sale.basket.tax_uid,
        "catalog_object_id": world.catalog.taxes[location.id],
        "catalog_version": world.catalog_version,
        "name": "Sales Tax",
        "type": "ADDITIVE",
        "percentage": location.tax_percentage,
        "applied_money": money(sale.basket.totals.tax),
        "scope": "LINE_ITEM",
    }


def _order_discounts(world: World, sale: Sale) -> list[dict]:
    """The order's ``discounts``: the line-item discount (if a line has it), then the order-level one."""
    basket, discounts = sale.basket, []
    if basket.line_discount_uid:
        discount = world.catalog.line_discount
        discounts.append(
            discount_json(world, discount, basket.line_discount_uid, basket.totals.line_discount)
        )
    if basket.order_discount and basket.order_discount_uid:
        discounts.append(
            discount_json(
                world, basket.order_discount, basket.order_discount_uid, basket.totals.order_discount
            )
        )
    return discounts


def discount_json(world: World, discount: CatalogDiscount, uid: str, applied: int) -> dict:
    """An ``OrderLineItemDiscount`` (also the base of a return order's ``OrderReturnDiscount``)."""
    entry = {
        "uid": uid,
        "catalog_object_id": discount.id,
        "catalog_version": world.catalog_version,
        "name": discount.name,
        "type": discount.discount_type,
    }
    if discount.percentage is not None:
        entry["percentage"] = discount.percentage
    if discount.amount is not None:
        entry["amount_money"] = money(discount.amount)
    entry["applied_money"] = money(applied)
    entry["scope"] = discount.scope
    return entry


def sale_facts(sale: Sale) -> OrderFacts:
    totals = sale.basket.totals
    return OrderFacts(totals.gross, totals.discount, totals.tax, sale.checkout.tip, is_return=False)


def sale_order_record(sale: Sale, order: dict, facts: OrderFacts, times: VersionTimes) -> Record:
    """One version of the sale order (``order`` is its JSON: state and version are read from it)."""
    return Record(
        id=sale.order_id,
        location_id=sale.slot.location.id,
        created=sale.slot.created,
        updated=times.updated,
        closed=sale.checkout.closed,
        visible_from=times.visible_from,
        visible_until=times.visible_until,
        state=order["state"],
        version=order["version"],
        body=stored_json(order),
        facts=facts,
        total=sale.total,
    )
