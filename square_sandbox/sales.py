"""One sale at the till: the basket and its prices, how the customer pays, and the order Square records.

Every draw comes from the location-day's generator in a fixed order, so the same seed rings up the same sales.
The parameter objects are slotted dataclasses, not frozen ones (a day builds thousands; frozen ones build slower).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

import orjson

from square_sandbox.records import OrderFacts, Record, VersionTimes
from square_sandbox.timeutil import US_PER_SECOND, format_us
from square_sandbox.world import CatalogDiscount, CatalogVariation, Location, World, entity_id, random_id

CURRENCY = "USD"
SOURCE_NAME = "Square Point of Sale"  # every sale is rung up at a register


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
    """Where and when a sale is rung up; ``uploaded`` is when an offline register sent it (else None)."""

    location: Location
    day: dt.date
    created: int
    register: str
    uploaded: int | None

    @property
    def visible_from(self) -> int:
        return self.created if self.uploaded is None else self.uploaded


@dataclasses.dataclass(slots=True)
class LineAmounts:
    gross: int  # price x quantity
    discount: int
    tax: int

    @property
    def total(self) -> int:
        return self.gross - self.discount + self.tax

    @staticmethod
    def sum(lines: list[LineAmounts]) -> LineAmounts:
        return LineAmounts(
            sum(line.gross for line in lines),
            sum(line.discount for line in lines),
            sum(line.tax for line in lines),
        )


@dataclasses.dataclass(slots=True)
class Pricing:
    """What applies to every line of one sale: the location's sales tax and at most one percentage discount."""

    tax_rate: float
    tax_uid: str
    discount: CatalogDiscount | None
    discount_uid: str | None

    def price(self, unit_price: int, quantity: int) -> LineAmounts:
        gross = unit_price * quantity
        discount = round(gross * float(self.discount.percentage) / 100.0) if self.discount else 0
        return LineAmounts(gross, discount, round((gross - discount) * self.tax_rate))


@dataclasses.dataclass(slots=True)
class Basket:
    pricing: Pricing
    line_items: list[dict]  # the order's line_items JSON
    lines: list[LineAmounts]  # their amounts, in the same order
    totals: LineAmounts


@dataclasses.dataclass(slots=True)
class Checkout:
    """How the sale ends at the till."""

    canceled: bool
    is_card: bool
    tip: int
    closed: int
    customer_id: str | None


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
    tax_uid = random_id(rng, 22)
    discount = rng.choice(world.discounts) if rng.random() < 0.15 else None
    discount_uid = random_id(rng, 22) if discount else None
    pricing = Pricing(float(location.tax_percentage) / 100.0, tax_uid, discount, discount_uid)
    variations = rng.choices(
        world.variations, world.variation_weights, k=1 + min(int(rng.expovariate(0.7)), 7)
    )
    line_items, lines = [], []
    for variation in variations:
        quantity = 1 if rng.random() < 0.8 else rng.randint(2, 4)
        line_item, amounts = _line_item(rng, world, pricing, variation, quantity)
        line_items.append(line_item)
        lines.append(amounts)
    return Basket(pricing, line_items, lines, LineAmounts.sum(lines))


def _line_item(
    rng: random.Random, world: World, pricing: Pricing, variation: CatalogVariation, quantity: int
) -> tuple[dict, LineAmounts]:
    amounts = pricing.price(variation.price, quantity)
    line = {
        "uid": random_id(rng, 22),
        "name": variation.item_name,
        "quantity": str(quantity),
        "catalog_object_id": variation.id,
        "catalog_version": world.catalog_version,
        "variation_name": variation.name,
        "item_type": "ITEM",
        "base_price_money": money(variation.price),
        "variation_total_price_money": money(amounts.gross),
        "gross_sales_money": money(amounts.gross),
        "total_tax_money": money(amounts.tax),
        "total_discount_money": money(amounts.discount),
        "total_money": money(amounts.total),
        "total_service_charge_money": money(0),
    }
    if pricing.tax_rate > 0:
        line["applied_taxes"] = [
            {"uid": random_id(rng, 22), "tax_uid": pricing.tax_uid, "applied_money": money(amounts.tax)}
        ]
    if pricing.discount:
        line["applied_discounts"] = [
            {
                "uid": random_id(rng, 22),
                "discount_uid": pricing.discount_uid,
                "applied_money": money(amounts.discount),
            }
        ]
    return line, amounts


def _check_out(rng: random.Random, world: World, slot: SaleSlot, amount: int) -> Checkout:
    canceled = rng.random() < world.config.canceled_share
    is_card = rng.random() < 0.78
    tip = 0
    if is_card and not canceled and rng.random() < 0.18:
        tip = max(100, round(amount * rng.choice([0.1, 0.15, 0.2]) / 25) * 25)
    closed = slot.created + rng.randrange(20, 240) * US_PER_SECOND
    returning_customer = bool(world.old_customer_ids) and rng.random() < 0.25
    customer_id = rng.choice(world.old_customer_ids) if returning_customer else None
    return Checkout(canceled, is_card, tip, closed, customer_id)


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
    if sale.basket.pricing.tax_rate > 0:
        order["taxes"] = [_order_tax(world, sale)]
    if sale.basket.pricing.discount:
        order["discounts"] = [_order_discount(world, sale, sale.basket.pricing.discount)]
    return order


def _order_tax(world: World, sale: Sale) -> dict:
    location = sale.slot.location
    return {
        "uid": sale.basket.pricing.tax_uid,
        "catalog_object_id": world.taxes[location.id],
        "catalog_version": world.catalog_version,
        "name": "Sales Tax",
        "type": "ADDITIVE",
        "percentage": location.tax_percentage,
        "applied_money": money(sale.basket.totals.tax),
        "scope": "LINE_ITEM",
    }


def _order_discount(world: World, sale: Sale, discount: CatalogDiscount) -> dict:
    return {
        "uid": sale.basket.pricing.discount_uid,
        "catalog_object_id": discount.id,
        "catalog_version": world.catalog_version,
        "name": discount.name,
        "type": "FIXED_PERCENTAGE",
        "percentage": discount.percentage,
        "applied_money": money(sale.basket.totals.discount),
        "scope": "LINE_ITEM",
    }


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
        body=orjson.dumps(order),
        facts=facts,
        total=sale.total,
    )
