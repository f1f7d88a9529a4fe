"""The fact rows of each Reporting view for one location-day, read from the sandbox's own records as of a time.

A row is a dict: the view's dimension fields, ``created`` (microseconds, for the time dimensions), ``in_store``
and ``offline`` (for segments), and the measure fields in cents. Rows are computed from the generated orders,
payments and refunds (never from the platform's code), so comparing a mart with them means something.
"""

from __future__ import annotations

import datetime as dt

import orjson

from square_sandbox.cache import BoundedCache
from square_sandbox.records import PaymentFacts, Record
from square_sandbox.sales import SOURCE_NAME
from square_sandbox.store import Store
from square_sandbox.world import Location, World

DayFacts = dict[str, list[dict]]  # view name -> rows
ROW_BYTES = 1200


class ReportFacts:
    def __init__(self, world: World, store: Store) -> None:
        self.world = world
        self.store = store
        self._cache = BoundedCache(256, world.config.cache_mb * 2**20 // 4, _weight)

    def rows(self, view: str, location: Location, day: dt.date, asof: int) -> list[dict]:
        key = (location.index, day, asof)
        facts = self._cache.get(key)
        if facts is None:
            facts = self._day_facts(location, day, asof)
            self._cache.put(key, facts)
        return facts[view]

    def _day_facts(self, location: Location, day: dt.date, asof: int) -> DayFacts:
        start, end = location.day_bounds(day)
        ranges = {"created_at": (start, end - 1)}
        orders = [
            order
            for order in self.store.all_records("order", [location], ranges, asof)
            if order.state == "COMPLETED"
        ]
        payments = {p.facts.order_id: p for p in self.store.all_records("payment", [location], ranges, asof)}
        refunds = {r.facts.order_id: r for r in self.store.all_records("refund", [location], ranges, asof)}
        facts: DayFacts = {"Sales": [], "ItemSales": [], "ModifierSales": [], "Discounts": []}
        for order in orders:
            body = orjson.loads(order.body)
            common = {
                "location_id": location.id,
                "location_name": location.name,
                "created": order.created,
                "_zone": location.zone,
                "in_store": body["source"]["name"] == SOURCE_NAME,
            }
            if order.facts.is_return:
                refund = refunds[order.id]
                facts["Sales"].append(self._return_row(common, order, refund))
                lines = body["returns"][0]["return_line_items"]
                facts["Discounts"] += _discount_rows(
                    common, body["returns"][0].get("return_discounts", []), -1
                )
            else:
                facts["Sales"].append(self._sale_row(common, order, payments[order.id]))
                lines = body["line_items"]
                facts["Discounts"] += _discount_rows(common, body.get("discounts", []), 1)
            sign = -1 if order.facts.is_return else 1
            for line in lines:
                facts["ItemSales"].append(self._item_row(common, line, sign))
                modifiers = line.get("return_modifiers" if sign < 0 else "modifiers", [])
                facts["ModifierSales"] += [self._modifier_row(common, line, m, sign) for m in modifiers]
        return facts

    def _payment_dimensions(self, payment: PaymentFacts, team_member_id: str) -> dict:
        member = self.world.team_members.get(team_member_id)
        return {
            "tender_type": payment.tender,
            "card_brand": payment.card_brand,
            "team_member_id": team_member_id,
            "team_member_name": f"{member.given_name} {member.family_name}" if member else None,
            "channel": SOURCE_NAME,
            "offline": payment.offline_created is not None,
        }

    def _sale_row(self, common: dict, order: Record, payment: Record) -> dict:
        facts = order.facts
        paid = payment.total if payment.state == "COMPLETED" else 0
        fee = payment.facts.fee if payment.state == "COMPLETED" else 0
        return {
            **common,
            **self._payment_dimensions(payment.facts, payment.facts.team_member_id),
            "order_type": "SALE",
            "order_count": 1,
            "gross_sales": facts.gross,
            "returns": 0,
            "discounts": facts.discount,
            "net_sales": facts.gross - facts.discount,
            "tax": facts.tax,
            "tips": facts.tip,
            "refunds": 0,
            "total_collected": paid,
            "fees": fee,
            "net_total": paid - fee,
        }

    def _return_row(self, common: dict, order: Record, refund: Record) -> dict:
        facts = order.facts
        refunded = refund.total if refund.state == "COMPLETED" else 0
        return {
            **common,
            **self._payment_dimensions(refund.facts.payment, refund.facts.team_member_id),
            "order_type": "RETURN",
            "order_count": 0,
            "gross_sales": 0,
            "returns": facts.gross,
            "discounts": -facts.discount,
            "net_sales": facts.discount - facts.gross,
            "tax": -facts.tax,
            "tips": 0,
            "refunds": refunded,
            "total_collected": -refunded,
            "fees": 0,
            "net_total": -refunded,
        }

    def _item_row(self, common: dict, line: dict, sign: int) -> dict:
        variation = self.world.catalog.variation_by_id.get(line["catalog_object_id"])
        quantity = int(line["quantity"])
        gross = _amount(line, "gross_sales_money" if sign > 0 else "gross_return_money")
        discount, tax = _amount(line, "total_discount_money"), _amount(line, "total_tax_money")
        category_id = variation.category_id if variation else None
        return {
            **common,
            "item_id": variation.item_id if variation else None,
            "item_name": line["name"],
            "item_variation_id": line["catalog_object_id"],
            "item_variation_name": line["variation_name"],
            "category_id": category_id,
            "category_name": self.world.catalog.category_names.get(category_id) if category_id else None,
            **_sold_or_returned(sign, quantity, gross),
            "discounts": sign * discount,
            "net_sales": sign * (gross - discount),
            "tax": sign * tax,
        }

    def _modifier_row(self, common: dict, line: dict, modifier: dict, sign: int) -> dict:
        found = self.world.catalog.modifier_by_id.get(modifier["catalog_object_id"])
        quantity = int(line["quantity"]) * int(modifier["quantity"])
        amount = _amount(modifier, "total_price_money")
        return {
            **common,
            "modifier_id": modifier["catalog_object_id"],
            "modifier_name": modifier["name"],
            "modifier_list_id": found.list_id if found else None,
            "modifier_list_name": found.list_name if found else None,
            **_sold_or_returned(sign, quantity, amount),
            "net_sales": sign * amount,
        }


def _weight(facts: DayFacts) -> int:
    """About the bytes a location-day's fact rows take (a row is a dict of some twenty fields)."""
    return sum(len(rows) for rows in facts.values()) * ROW_BYTES


def _sold_or_returned(sign: int, quantity: int, gross: int) -> dict:
    """Units and gross of a sold line (``sign`` 1) or a returned one (-1)."""
    sold = sign > 0
    return {
        "quantity_sold": quantity if sold else 0,
        "quantity_returned": 0 if sold else quantity,
        "net_quantity": sign * quantity,
        "gross_sales": gross if sold else 0,
        "returns": 0 if sold else gross,
    }


def _discount_rows(common: dict, discounts: list[dict], sign: int) -> list[dict]:
    rows = []
    for discount in discounts:
        applied = _amount(discount, "applied_money")
        rows.append(
            {
                **common,
                "discount_id": discount.get("catalog_object_id"),
                "discount_name": discount["name"],
                "discount_scope": discount["scope"],
                "applied_count": 1 if sign > 0 else 0,
                "gross_amount": applied if sign > 0 else 0,
                "returned_amount": applied if sign < 0 else 0,
                "amount": sign * applied,
            }
        )
    return rows


def _amount(entry: dict, key: str) -> int:
    money = entry.get(key)
    return money["amount"] if money else 0
