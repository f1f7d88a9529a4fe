"""One location-day of business, generated from the seed alone: orders, payments, refunds, return orders.

Every object version is a ``Record`` visible in [visible_from, visible_until): an offline sale becomes
visible when its register uploads it, and a refunded order is replaced by its updated version at refund time.
Records whose timestamps all fall inside the business day (plus a margin) go to the day's *main* segment;
the few that reach further (late uploads, refunds, return orders) go to its small *late* segment, so a query
about a later day only has to look at the late segments of earlier days.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import random

import orjson

from square_sandbox.timeutil import US_PER_DAY, US_PER_HOUR, US_PER_SECOND, format_us, to_us
from square_sandbox.world import Location, World, entity_id, random_id, rng_for

# Offline uploads arrive up to 10 days late and refunds up to 14 days after the sale (and after the upload):
# nothing a day produces is dated more than LATE_HORIZON after the day starts.
LATE_HORIZON_US = 16 * US_PER_DAY
MAIN_MARGIN_US = US_PER_HOUR
NEVER = 2**62
CURRENCY = "USD"

CARD_BRANDS = ["VISA", "VISA", "VISA", "MASTERCARD", "MASTERCARD", "AMERICAN_EXPRESS", "DISCOVER"]
ENTRY_METHODS = ["EMV", "EMV", "CONTACTLESS", "CONTACTLESS", "SWIPED"]
# (weight, min hours, max hours): how late an offline register uploads once it is back online.
UPLOAD_DELAYS = [(0.40, 1, 6), (0.25, 6, 24), (0.20, 24, 72), (0.15, 72, 240)]


@dataclasses.dataclass(slots=True)
class Record:
    kind: str  # order | payment | refund
    id: str
    location_id: str
    created: int
    updated: int
    closed: int | None
    visible_from: int
    visible_until: int
    state: str
    version: int | None
    body: bytes
    # orders: (gross, discount, tax, tip, returned gross, returned discount, returned tax, is_return)
    # payments: (total, source_type, card_brand, last_4, offline client_created_at or None)
    # refunds: (amount, source_type)
    facts: tuple
    total: int  # order total_money, payment total_money, refund amount_money
    links: tuple = ()  # payments: (order_id,), refunds: (payment_id, order_id)

    def field(self, name: str) -> int | None:
        if name == "created_at":
            return self.created
        if name == "updated_at":
            return self.updated
        if name == "closed_at":
            return self.closed
        if name == "offline_created_at":
            return self.facts[4]
        raise KeyError(name)


@dataclasses.dataclass
class DayData:
    location_id: str
    day: dt.date
    start: int
    end: int
    main: dict[str, list[Record]]
    late: dict[str, list[Record]]
    _by_id: dict[str, list[Record]] | None = None

    def records_by_id(self) -> dict[str, list[Record]]:
        if self._by_id is None:
            index: dict[str, list[Record]] = {}
            for segment in (self.main, self.late):
                for records in segment.values():
                    for record in records:
                        index.setdefault(record.id, []).append(record)
            self._by_id = index
        return self._by_id


def money(amount: int) -> dict:
    return {"amount": amount, "currency": CURRENCY}


def _order_amounts(total: int, tax: int, discount: int, tip: int) -> dict:
    return {
        "total_money": money(total),
        "tax_money": money(tax),
        "discount_money": money(discount),
        "tip_money": money(tip),
        "service_charge_money": money(0),
    }


def _sale_times(rng: random.Random, count: int, start: int) -> list[int]:
    """Register times through the business day (8:00-21:00 local), busiest at lunch and after work."""
    times = []
    for _ in range(count):
        peak = rng.random()
        if peak < 0.35:
            hour = rng.gauss(12.5, 1.3)
        elif peak < 0.75:
            hour = rng.gauss(17.5, 1.6)
        else:
            hour = rng.uniform(8, 21)
        hour = min(max(hour, 8.0), 20.99)
        times.append(start + int(hour * US_PER_HOUR) // 1000 * 1000)
    times.sort()
    return times


class DayGenerator:
    def __init__(self, world: World) -> None:
        self.world = world
        self.config = world.config

    def order_count(self, location: Location, day: dt.date) -> int:
        rng = rng_for(self.config.seed, "volume", location.index, day.isoformat())
        weekday_factor = (0.9, 0.85, 0.9, 0.95, 1.1, 1.3, 1.0)[day.weekday()]
        return max(1, round(self.config.orders_per_day * weekday_factor * rng.uniform(0.9, 1.1)))

    def generate(self, location: Location, day: dt.date) -> DayData:
        rng = rng_for(self.config.seed, "day", location.index, day.isoformat())
        start, end = location.day_bounds(day)
        # Local midnight by the noon offset: business hours never cross a DST switch (at 2:00).
        offset = location.zone.utcoffset(dt.datetime.combine(day, dt.time(12)))
        midnight = (
            to_us(dt.datetime.combine(day, dt.time(), dt.UTC)) - int(offset.total_seconds()) * US_PER_SECOND
        )
        count = self.order_count(location, day)
        times = _sale_times(rng, count, midnight)
        registers = [rng.choice(location.registers) for _ in range(count)]
        uploads = self._offline_uploads(rng, location, times, registers)
        records: list[Record] = []
        for index, created in enumerate(times):
            records.extend(self._sale(rng, location, day, created, registers[index], uploads.get(index)))
        main: dict[str, list[Record]] = {"order": [], "payment": [], "refund": []}
        late: dict[str, list[Record]] = {"order": [], "payment": [], "refund": []}
        limit = end + MAIN_MARGIN_US
        for record in records:
            highest = max(record.created, record.updated, record.visible_from, record.closed or 0)
            (main if highest < limit and record.visible_until == NEVER else late)[record.kind].append(record)
        for segment in (main, late):
            for records_of_kind in segment.values():
                records_of_kind.sort(key=lambda r: (r.created, r.id))
        return DayData(location.id, day, start, end, main, late)

    def _offline_uploads(
        self, rng: random.Random, location: Location, times: list[int], registers: list[str]
    ) -> dict[int, int]:
        """Outages hit whole stores for a stretch of the day; each register uploads on its own when back."""
        share = self.config.offline_share
        if share <= 0 or not times:
            return {}
        chance = min(1.0, share * 8)
        if rng.random() >= chance:
            return {}
        span = max(1, round(len(times) * share / chance))
        first = rng.randrange(0, max(1, len(times) - span + 1))
        outage = range(first, min(len(times), first + span))
        back_online = times[outage[-1]] + rng.randrange(5, 60) * 60 * US_PER_SECOND
        roll, delay_hours = rng.random(), 1.0
        for weight, low, high in UPLOAD_DELAYS:
            if roll < weight:
                delay_hours = rng.uniform(low, high)
                break
            roll -= weight
        upload_by_register = {}
        for register in location.registers:
            base = max(back_online, times[outage[0]] + US_PER_HOUR)
            upload_by_register[register] = (
                (base + int(delay_hours * US_PER_HOUR) + rng.randrange(0, 40) * 60 * US_PER_SECOND)
                // 1000
                * 1000
            )
        return {index: upload_by_register[registers[index]] for index in outage}

    def _sale(
        self,
        rng: random.Random,
        location: Location,
        day: dt.date,
        created: int,
        register: str,
        uploaded: int | None,
    ) -> list[Record]:
        world = self.world
        order_id = entity_id(rng, location.index, day)
        tax_uid = random_id(rng, 22)
        tax_rate = float(location.tax_percentage) / 100.0
        discount = rng.choice(world.discounts) if rng.random() < 0.15 else None
        discount_uid = random_id(rng, 22) if discount else None
        line_items, lines = [], []
        for variation in rng.choices(
            world.variations, world.variation_weights, k=1 + min(int(rng.expovariate(0.7)), 7)
        ):
            quantity = 1 if rng.random() < 0.8 else rng.randint(2, 4)
            gross = variation.price * quantity
            line_discount = round(gross * float(discount.percentage) / 100.0) if discount else 0
            tax = round((gross - line_discount) * tax_rate)
            line = {
                "uid": random_id(rng, 22),
                "name": variation.item_name,
                "quantity": str(quantity),
                "catalog_object_id": variation.id,
                "catalog_version": world.catalog_version,
                "variation_name": variation.name,
                "item_type": "ITEM",
                "base_price_money": money(variation.price),
                "variation_total_price_money": money(gross),
                "gross_sales_money": money(gross),
                "total_tax_money": money(tax),
                "total_discount_money": money(line_discount),
                "total_money": money(gross - line_discount + tax),
                "total_service_charge_money": money(0),
            }
            if tax_rate > 0:
                line["applied_taxes"] = [
                    {"uid": random_id(rng, 22), "tax_uid": tax_uid, "applied_money": money(tax)}
                ]
            if discount:
                line["applied_discounts"] = [
                    {
                        "uid": random_id(rng, 22),
                        "discount_uid": discount_uid,
                        "applied_money": money(line_discount),
                    }
                ]
            line_items.append(line)
            lines.append((gross, line_discount, tax))
        gross = sum(g for g, _, _ in lines)
        discount_total = sum(d for _, d, _ in lines)
        tax_total = sum(t for _, _, t in lines)
        canceled = rng.random() < self.config.canceled_share
        is_card = rng.random() < 0.78
        tip = 0
        if is_card and not canceled and rng.random() < 0.18:
            tip = max(
                100, round((gross - discount_total + tax_total) * rng.choice([0.1, 0.15, 0.2]) / 25) * 25
            )
        amount = gross - discount_total + tax_total
        total = amount + tip
        closed = created + rng.randrange(20, 240) * US_PER_SECOND
        visible_from = uploaded if uploaded is not None else created
        order_updated = uploaded if uploaded is not None else closed
        customer_id = (
            rng.choice(world.old_customer_ids) if world.old_customer_ids and rng.random() < 0.25 else None
        )

        order = {
            "id": order_id,
            "location_id": location.id,
            "source": {"name": "Square Point of Sale"},
            "line_items": line_items,
            "created_at": format_us(created),
            "updated_at": format_us(order_updated),
            "closed_at": format_us(closed),
            "state": "CANCELED" if canceled else "COMPLETED",
            "version": 1 if canceled else 4,
            "total_money": money(total),
            "total_tax_money": money(tax_total),
            "total_discount_money": money(discount_total),
            "total_tip_money": money(tip),
            "total_service_charge_money": money(0),
            "net_amounts": _order_amounts(total, tax_total, discount_total, tip),
            "net_amount_due_money": money(0 if not canceled else total),
        }
        if customer_id:
            order["customer_id"] = customer_id
        if tax_rate > 0:
            order["taxes"] = [
                {
                    "uid": tax_uid,
                    "catalog_object_id": world.taxes[location.id],
                    "catalog_version": world.catalog_version,
                    "name": "Sales Tax",
                    "type": "ADDITIVE",
                    "percentage": location.tax_percentage,
                    "applied_money": money(tax_total),
                    "scope": "LINE_ITEM",
                }
            ]
        if discount:
            order["discounts"] = [
                {
                    "uid": discount_uid,
                    "catalog_object_id": discount.id,
                    "catalog_version": world.catalog_version,
                    "name": discount.name,
                    "type": "FIXED_PERCENTAGE",
                    "percentage": discount.percentage,
                    "applied_money": money(discount_total),
                    "scope": "LINE_ITEM",
                }
            ]
        sale_facts = (gross, discount_total, tax_total, tip, 0, 0, 0, False)
        if canceled:
            body = orjson.dumps(order)
            return [
                Record(
                    "order",
                    order_id,
                    location.id,
                    created,
                    order_updated,
                    closed,
                    visible_from,
                    NEVER,
                    "CANCELED",
                    1,
                    body,
                    sale_facts,
                    total,
                )
            ]

        payment_id = random_id(rng, 29)
        tender_id = payment_id
        brand, last_4 = rng.choice(CARD_BRANDS), f"{rng.randrange(10000):04d}"
        tender = {
            "id": tender_id,
            "location_id": location.id,
            "transaction_id": order_id,
            "created_at": format_us(created),
            "amount_money": money(amount),
            "type": "CARD" if is_card else "CASH",
            "payment_id": payment_id,
        }
        if tip:
            tender["tip_money"] = money(tip)
        payment_updated = uploaded if uploaded is not None else created + rng.randrange(1, 5) * US_PER_SECOND
        payment = {
            "id": payment_id,
            "created_at": format_us(created),
            "updated_at": format_us(payment_updated),
            "amount_money": money(amount),
            "total_money": money(total),
            "approved_money": money(total),
            "status": "COMPLETED",
            "source_type": "CARD" if is_card else "CASH",
            "location_id": location.id,
            "order_id": order_id,
            "receipt_number": payment_id[:4],
            "device_details": {"device_id": register, "device_name": register.rsplit("-", 1)[-1]},
            "capabilities": [
                "EDIT_AMOUNT_UP",
                "EDIT_AMOUNT_DOWN",
                "EDIT_TIP_AMOUNT_UP",
                "EDIT_TIP_AMOUNT_DOWN",
            ],
            "is_offline_payment": uploaded is not None,
            "version_token": random_id(rng, 40),
        }
        if tip:
            payment["tip_money"] = money(tip)
        if customer_id:
            payment["customer_id"] = customer_id
            tender["customer_id"] = customer_id
        if is_card:
            card = {
                "card_brand": brand,
                "last_4": last_4,
                "exp_month": rng.randint(1, 12),
                "exp_year": rng.randint(2027, 2031),
                "card_type": rng.choice(["CREDIT", "CREDIT", "DEBIT"]),
                "bin": f"{rng.randrange(400000, 560000)}",
            }
            entry = rng.choice(ENTRY_METHODS)
            payment["card_details"] = {
                "status": "CAPTURED",
                "card": card,
                "entry_method": entry,
                "cvv_status": "CVV_NOT_CHECKED",
                "avs_status": "AVS_NOT_CHECKED",
                "statement_description": "SQ *CORNER GOODS",
            }
            fee = round(total * 0.026) + 10
            payment["processing_fee"] = [
                {"effective_at": format_us(payment_updated), "type": "INITIAL", "amount_money": money(fee)}
            ]
            tender["card_details"] = {
                "status": "CAPTURED",
                "card": {"card_brand": brand, "last_4": last_4},
                "entry_method": entry,
            }
        else:
            tendered = math.ceil(total / 500.0) * 500
            payment["cash_details"] = {
                "buyer_supplied_money": money(tendered),
                "change_back_money": money(tendered - total),
            }
            tender["cash_details"] = {
                "buyer_tendered_money": money(tendered),
                "change_back_money": money(tendered - total),
            }
        if uploaded is not None:
            payment["offline_payment_details"] = {"client_created_at": format_us(created)}
        order["tenders"] = [tender]
        payment_facts = (
            total,
            payment["source_type"],
            brand if is_card else None,
            last_4 if is_card else None,
            created if uploaded is not None else None,
        )

        refund_at = None
        if rng.random() < self.config.refund_share:
            refund_at = created + rng.randint(1, 14) * US_PER_DAY + rng.randrange(-4, 4) * US_PER_HOUR
            if refund_at <= visible_from + US_PER_HOUR:
                refund_at = visible_from + 2 * US_PER_HOUR + rng.randrange(0, 3600) * US_PER_SECOND
            refund_at = refund_at // 1000 * 1000

        order_body = orjson.dumps(order)
        payment_body = orjson.dumps(payment)
        until = refund_at if refund_at is not None else NEVER
        records = [
            Record(
                "order",
                order_id,
                location.id,
                created,
                order_updated,
                closed,
                visible_from,
                until,
                "COMPLETED",
                4,
                order_body,
                sale_facts,
                total,
            ),
            Record(
                "payment",
                payment_id,
                location.id,
                created,
                payment_updated,
                None,
                visible_from,
                until,
                "COMPLETED",
                None,
                payment_body,
                payment_facts,
                total,
                (order_id,),
            ),
        ]
        if refund_at is None:
            return records
        records.extend(
            self._refund(
                rng,
                location,
                day,
                order,
                payment,
                line_items,
                lines,
                refund_at,
                sale_facts,
                payment_facts,
                created,
                closed,
            )
        )
        return records

    def _refund(
        self,
        rng,
        location,
        day,
        order,
        payment,
        line_items,
        lines,
        refund_at,
        sale_facts,
        payment_facts,
        sale_created,
        sale_closed,
    ):
        """A customer brings items back: a return order, a PaymentRefund, and the sale updated to show it."""
        returned = sorted(rng.sample(range(len(line_items)), k=rng.randint(1, len(line_items))))
        return_id = entity_id(rng, location.index, day)
        refund_id = f"{payment['id']}_{random_id(rng, 20)}"
        return_lines, returned_gross, returned_discount, returned_tax = [], 0, 0, 0
        for index in returned:
            line = line_items[index]
            gross, line_discount, tax = lines[index]
            returned_gross += gross
            returned_discount += line_discount
            returned_tax += tax
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
                "gross_return_money": money(gross),
                "total_tax_money": money(tax),
                "total_discount_money": money(line_discount),
                "total_money": money(gross - line_discount + tax),
            }
            if "applied_taxes" in line:
                return_line["applied_taxes"] = line["applied_taxes"]
            if "applied_discounts" in line:
                return_line["applied_discounts"] = line["applied_discounts"]
            return_lines.append(return_line)
        refund_amount = returned_gross - returned_discount + returned_tax
        refunded_time = format_us(refund_at)
        completed_at = refund_at + rng.randrange(1, 30) * US_PER_SECOND
        return_amounts = _order_amounts(refund_amount, returned_tax, returned_discount, 0)
        order_return = {
            "uid": random_id(rng, 22),
            "source_order_id": order["id"],
            "return_line_items": return_lines,
            "return_amounts": return_amounts,
        }
        for key, source_key, uid_key in (
            ("return_taxes", "taxes", "source_tax_uid"),
            ("return_discounts", "discounts", "source_discount_uid"),
        ):
            if source_key in order:
                source = order[source_key][0]
                order_return[key] = [
                    {
                        "uid": random_id(rng, 22),
                        uid_key: source["uid"],
                        "catalog_object_id": source["catalog_object_id"],
                        "catalog_version": source["catalog_version"],
                        "name": source["name"],
                        "type": source["type"],
                        "percentage": source["percentage"],
                        "applied_money": money(returned_tax if key == "return_taxes" else returned_discount),
                        "scope": source["scope"],
                    }
                ]
        return_order = {
            "id": return_id,
            "location_id": location.id,
            "source": {"name": "Square Point of Sale"},
            "returns": [order_return],
            "return_amounts": return_amounts,
            "net_amounts": _order_amounts(-refund_amount, -returned_tax, -returned_discount, 0),
            "created_at": refunded_time,
            "updated_at": format_us(completed_at),
            "closed_at": format_us(completed_at),
            "state": "COMPLETED",
            "version": 3,
            "total_money": money(0),
            "total_tax_money": money(0),
            "total_discount_money": money(0),
            "total_tip_money": money(0),
            "total_service_charge_money": money(0),
            "net_amount_due_money": money(0),
        }
        if "customer_id" in order:
            return_order["customer_id"] = order["customer_id"]
        refund = {
            "id": refund_id,
            "status": "COMPLETED",
            "location_id": location.id,
            "amount_money": money(refund_amount),
            "payment_id": payment["id"],
            "order_id": return_id,
            "reason": "Returned goods",
            "created_at": refunded_time,
            "updated_at": format_us(completed_at),
            "destination_type": payment["source_type"],
        }
        # The sale as Square shows it after the refund: a new version with the refund and the returned amounts.
        updated_order = dict(order)
        total = order["total_money"]["amount"]
        tip = order["total_tip_money"]["amount"]
        updated_order["updated_at"] = format_us(completed_at)
        updated_order["version"] = order["version"] + 1
        updated_order["refunds"] = [
            {
                "id": refund_id,
                "location_id": location.id,
                "transaction_id": order["id"],
                "tender_id": order["tenders"][0]["id"],
                "created_at": refunded_time,
                "reason": "Returned goods",
                "amount_money": money(refund_amount),
                "status": "APPROVED",
            }
        ]
        updated_order["return_amounts"] = return_amounts
        updated_order["net_amounts"] = _order_amounts(
            total - refund_amount,
            order["total_tax_money"]["amount"] - returned_tax,
            order["total_discount_money"]["amount"] - returned_discount,
            tip,
        )
        updated_payment = dict(payment)
        updated_payment["updated_at"] = format_us(completed_at)
        updated_payment["refunded_money"] = money(refund_amount)
        updated_payment["refund_ids"] = [refund_id]
        updated_payment["version_token"] = random_id(rng, 40)
        loc = location.id
        return [
            Record(
                "order",
                order["id"],
                loc,
                sale_created,
                completed_at,
                sale_closed,
                refund_at,
                NEVER,
                "COMPLETED",
                updated_order["version"],
                orjson.dumps(updated_order),
                sale_facts,
                total,
            ),
            Record(
                "payment",
                payment["id"],
                loc,
                sale_created,
                completed_at,
                None,
                refund_at,
                NEVER,
                "COMPLETED",
                None,
                orjson.dumps(updated_payment),
                payment_facts,
                total,
                (order["id"],),
            ),
            Record(
                "order",
                return_id,
                loc,
                refund_at,
                completed_at,
                completed_at,
                refund_at,
                NEVER,
                "COMPLETED",
                3,
                orjson.dumps(return_order),
                (0, 0, 0, 0, returned_gross, returned_discount, returned_tax, True),
                0,
            ),
            Record(
                "refund",
                refund_id,
                loc,
                refund_at,
                completed_at,
                None,
                refund_at,
                NEVER,
                "COMPLETED",
                None,
                orjson.dumps(refund),
                (refund_amount, payment["source_type"]),
                refund_amount,
                (payment["id"], return_id),
            ),
        ]
