"""Loyalty: one points program (a point per whole dollar spent, before tips). Most returning customers have an
account; each of their sales earns points when Square records it (ACCUMULATE_POINTS) and each return takes back
the points of what came back (ADJUST_POINTS). Accounts and enrolment follow from the customer alone (a hash).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import orjson

from square_sandbox.cache import BoundedCache
from square_sandbox.listing import hex_id, uuid_like
from square_sandbox.records import EVENTUALLY, Record
from square_sandbox.store import Store
from square_sandbox.timeutil import US_PER_DAY, format_us, parse_rfc3339
from square_sandbox.world import Location, World

ENROLLED_SHARE = 0.6


@dataclasses.dataclass(frozen=True, slots=True)
class LoyaltyEvent:
    id: str
    event_type: str  # ACCUMULATE_POINTS | ADJUST_POINTS
    account_id: str
    location_id: str
    order_id: str
    points: int
    at: int  # when Square recorded it

    def body(self, program_id: str) -> dict:
        event = {"id": self.id, "type": self.event_type, "created_at": format_us(self.at)}
        if self.event_type == "ACCUMULATE_POINTS":
            event["accumulate_points"] = {
                "loyalty_program_id": program_id,
                "points": self.points,
                "order_id": self.order_id,
            }
        else:
            event["adjust_points"] = {
                "loyalty_program_id": program_id,
                "points": self.points,
                "reason": "Returned items",
            }
        event.update(loyalty_account_id=self.account_id, location_id=self.location_id, source="SQUARE")
        return event


@dataclasses.dataclass(frozen=True)
class LoyaltyAccount:
    id: str
    customer: dict
    enrolled: int

    def body(self, program_id: str, balance: int, lifetime: int, updated: int) -> dict:
        phone = "+1" + "".join(ch for ch in self.customer["phone_number"] if ch.isdigit())[-10:]
        return {
            "id": self.id,
            "program_id": program_id,
            "balance": balance,
            "lifetime_points": lifetime,
            "customer_id": self.customer["id"],
            "enrolled_at": format_us(self.enrolled),
            "created_at": format_us(self.enrolled),
            "updated_at": format_us(max(updated, self.enrolled)),
            "mapping": {"id": hex_id("mapping", self.id, length=24), "created_at": format_us(self.enrolled),
                        "phone_number": phone},
        }  # fmt: skip


class Loyalty:
    def __init__(self, world: World, store: Store) -> None:
        self.world = world
        self.store = store
        self.program_id = uuid_like(hex_id(world.config.seed, "program"), hex_id("program-tail", length=12))
        self.accounts: dict[str, LoyaltyAccount] = {}  # customer id -> account
        shoppers = set(world.old_customer_ids)
        for customer in world.customers:
            if customer["id"] in shoppers and _fraction("enrolled", customer["id"]) < ENROLLED_SHARE:
                self.accounts[customer["id"]] = _account(customer)
        self.by_account_id = {account.id: account for account in self.accounts.values()}
        self._days = BoundedCache(65_536)  # (location, day) -> events of that day's orders

    def events(self, location: Location, day: dt.date) -> list[LoyaltyEvent]:
        """The events of the orders created at ``location`` on ``day`` (recorded then or later)."""
        found = self._days.get((location.index, day))
        if found is None:
            found = self._day_events(location, day)
            self._days.put((location.index, day), found)
        return found

    def _day_events(self, location: Location, day: dt.date) -> list[LoyaltyEvent]:
        start, end = location.day_bounds(day)
        ranges = {"created_at": (start, end - 1)}
        recorded = {p.facts.order_id: p.facts.uploaded or p.created
                    for p in self.store.all_records("payment", [location], ranges, EVENTUALLY)}  # fmt: skip
        events = []
        for order in self.store.all_records("order", [location], ranges, EVENTUALLY):
            if order.state != "COMPLETED":
                continue
            body = orjson.loads(order.body)
            account = self.accounts.get(body.get("customer_id", ""))
            if account is None or account.enrolled > self._sold_at(order, body):
                continue  # no account when the goods were sold: no points, none to take back
            if order.facts.is_return:
                points = -(body["return_amounts"]["total_money"]["amount"] // 100)
                events.append(LoyaltyEvent(hex_id("adjust", order.id), "ADJUST_POINTS", account.id, location.id,
                                           order.id, points, order.created))  # fmt: skip
            else:
                points = (order.total - order.facts.tip) // 100
                events.append(LoyaltyEvent(hex_id("accumulate", order.id), "ACCUMULATE_POINTS", account.id,
                                           location.id, order.id, points, recorded[order.id]))  # fmt: skip
        return events

    def _sold_at(self, order: Record, body: dict) -> int:
        """When the goods of ``order`` were sold: its own creation, or its source sale's for a return."""
        if not order.facts.is_return:
            return order.created
        sale = self.store.find("order", body["returns"][0]["source_order_id"], EVENTUALLY)
        return sale.created if sale is not None else order.created

    def all_events(self, now: int) -> list[LoyaltyEvent]:
        """Every event recorded by ``now`` (the orders of every day so far)."""
        events = []
        for location in self.world.locations:
            day = self.world.config.start_date
            while location.day_bounds(day)[0] <= now:
                events += [event for event in self.events(location, day) if event.at <= now]
                day += dt.timedelta(days=1)
        return events


def _fraction(*parts: object) -> float:
    return int(hex_id(*parts, length=8), 16) / 16**8


def _account(customer: dict) -> LoyaltyAccount:
    """A customer's account, opened within a month of becoming a customer."""
    enrolled = (
        parse_rfc3339(customer["created_at"]) + int(_fraction("when", customer["id"]) * 30) * US_PER_DAY
    )
    account_id = uuid_like(
        hex_id("account", customer["id"]), hex_id("account-tail", customer["id"], length=12)
    )
    return LoyaltyAccount(account_id, customer, enrolled)
