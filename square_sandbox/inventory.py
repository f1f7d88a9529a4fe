"""Stock per item variation and location: an opening physical count, then every sale (IN_STOCK -> SOLD) and
return (SOLD -> IN_STOCK) read from the generated orders, weekly receipts from the vendor (NONE -> IN_STOCK) and
a little waste (IN_STOCK -> WASTE), as Square's inventory changes.

A change belongs to the local day it occurred on; Square records it at ``created_at`` (an offline sale's
upload), and counts as of a time include only what was recorded by then. Receipts and waste draw from their own
generator (seed, "stock", location, date).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import orjson

from square_sandbox.cache import BoundedCache
from square_sandbox.days import LATE_HORIZON_US
from square_sandbox.ids import rng_for
from square_sandbox.listing import stable_id
from square_sandbox.records import EVENTUALLY, Record
from square_sandbox.store import Store
from square_sandbox.timeutil import US_PER_HOUR, format_us
from square_sandbox.world import Location, World

SOURCE = {"product": "SQUARE_POS", "name": "Square Point of Sale"}
STATES = ("IN_STOCK", "SOLD", "WASTE")
LINES_PER_ORDER, UNITS_PER_LINE = 1.98, 1.4  # what a basket averages (sales.py)
OPENING_DAYS, RECEIPT_DAYS = 14, 7  # stock at the start, and what a weekly receipt brings, in days of sales


@dataclasses.dataclass(frozen=True, slots=True)
class StockChange:
    id: str
    kind: str  # PHYSICAL_COUNT | ADJUSTMENT
    reason: str  # COUNT | SALE | RETURN | RECEIPT | WASTE
    location_id: str
    variation_id: str
    from_state: str | None  # None for a physical count
    to_state: str
    quantity: int
    occurred_at: int
    created_at: int
    team_member_id: str | None = None
    transaction_id: str | None = None  # the sale's order
    refund_id: str | None = None

    def deltas(self) -> dict[str, int]:
        """How the change moves each state's count (a physical count sets IN_STOCK: it opens the history)."""
        moves = {self.to_state: self.quantity}
        if self.from_state in STATES:
            moves[self.from_state] = moves.get(self.from_state, 0) - self.quantity
        return moves

    def body(self) -> dict:
        """Square's InventoryChange."""
        detail = {
            "id": self.id,
            "location_id": self.location_id,
            "catalog_object_id": self.variation_id,
            "catalog_object_type": "ITEM_VARIATION",
            "quantity": str(self.quantity),
            "occurred_at": format_us(self.occurred_at),
            "created_at": format_us(self.created_at),
            "source": SOURCE,
        }
        if self.team_member_id:
            detail["team_member_id"] = self.team_member_id
        if self.kind == "PHYSICAL_COUNT":
            return {"type": "PHYSICAL_COUNT", "physical_count": {**detail, "state": self.to_state}}
        detail = {"from_state": self.from_state, "to_state": self.to_state, **detail}
        if self.transaction_id:
            detail["transaction_id"] = self.transaction_id
        if self.refund_id:
            detail["refund_id"] = self.refund_id
        return {"type": "ADJUSTMENT", "adjustment": detail}


Totals = dict[str, list[int]]  # variation id -> [IN_STOCK, SOLD, WASTE, last created_at]


class Inventory:
    def __init__(self, world: World, store: Store) -> None:
        self.world = world
        self.store = store
        self._changes = BoundedCache(64)  # (location, day) -> its changes
        self._totals = BoundedCache(65_536)  # (location, day[, now]) -> a day's totals (small)

    def expected_units(self, variation_index: int) -> float:
        """The units of a variation a location sells on an average day."""
        weights = self.world.catalog.variation_weights
        share = weights[variation_index] / sum(weights)
        return self.world.config.orders_per_day * LINES_PER_ORDER * UNITS_PER_LINE * share

    def opening_counts(self, location: Location) -> list[StockChange]:
        """A physical count of every variation the evening before the first business day."""
        first = self.world.config.start_date - dt.timedelta(days=1)
        at = location.business_midnight(first) + 21 * US_PER_HOUR
        return [
            StockChange(stable_id("count", location.id, variation.id), "PHYSICAL_COUNT", "COUNT", location.id,
                        variation.id, None, "IN_STOCK", max(5, round(OPENING_DAYS * self.expected_units(index))), at, at)
            for index, variation in enumerate(self.world.catalog.variations)
        ]  # fmt: skip

    def day_changes(self, location: Location, day: dt.date) -> list[StockChange]:
        """Everything that moved stock at ``location`` on its local ``day`` (recorded now or later)."""
        key = (location.index, day)
        found = self._changes.get(key)
        if found is None:
            found = self._sales_and_returns(location, day) + self._deliveries(location, day)
            self._changes.put(key, found)
        return found

    def _sales_and_returns(self, location: Location, day: dt.date) -> list[StockChange]:
        start, end = location.day_bounds(day)
        ranges = {"created_at": (start, end - 1)}
        payments = {
            p.facts.order_id: p for p in self.store.all_records("payment", [location], ranges, EVENTUALLY)
        }
        refunds = {
            r.facts.order_id: r for r in self.store.all_records("refund", [location], ranges, EVENTUALLY)
        }
        changes = []
        for order in self.store.all_records("order", [location], ranges, EVENTUALLY):
            if order.state != "COMPLETED":
                continue
            if order.facts.is_return:
                changes += _returned(order, refunds[order.id])
            else:
                changes += _sold(order, payments[order.id])
        return changes

    def _deliveries(self, location: Location, day: dt.date) -> list[StockChange]:
        """A Monday morning receipt of a week's sales, and now and then an item thrown away."""
        rng = rng_for(self.world.config.seed, "stock", location.index, day.isoformat())
        midnight = location.business_midnight(day)
        lead = self.world.rota(location, day).on_duty(midnight + 7 * US_PER_HOUR)[0].id
        changes = []
        if day.weekday() == 0:
            at = midnight + 6 * US_PER_HOUR
            for index, variation in enumerate(self.world.catalog.variations):
                units = max(1, round(RECEIPT_DAYS * self.expected_units(index) * rng.uniform(0.9, 1.2)))
                changes.append(StockChange(stable_id("receipt", location.id, day, variation.id), "ADJUSTMENT", "RECEIPT",
                                           location.id, variation.id, "NONE", "IN_STOCK", units, at, at, lead))  # fmt: skip
        if rng.random() < 0.3:
            variation = rng.choice(self.world.catalog.variations)
            at = midnight + 20 * US_PER_HOUR + rng.randrange(3600) * 1_000_000
            changes.append(StockChange(stable_id("waste", location.id, day), "ADJUSTMENT", "WASTE", location.id,
                                       variation.id, "IN_STOCK", "WASTE", rng.randint(1, 2), at, at, lead))  # fmt: skip
        return changes

    def totals(self, location: Location, day: dt.date, now: int) -> Totals:
        """Each variation's state changes of the day recorded by ``now`` (a day nothing can change any more
        is kept whatever ``now``)."""
        _, end = location.day_bounds(day)
        key = (location.index, day) if end + LATE_HORIZON_US < now else (location.index, day, now)
        found = self._totals.get(key)
        if found is None:
            found = add_up(change for change in self.day_changes(location, day) if change.created_at <= now)
            self._totals.put(key, found)
        return found

    def stock_before(self, location: Location, day: dt.date, now: int) -> Totals:
        """Every variation's counts at the start of ``day``, as recorded by ``now``."""
        counts = add_up(self.opening_counts(location))
        current = self.world.config.start_date
        while current < day:
            for variation_id, moves in self.totals(location, current, now).items():
                merge(counts, variation_id, moves)
            current += dt.timedelta(days=1)
        return counts


def add_up(changes) -> Totals:
    totals: Totals = {}
    for change in changes:
        moves = change.deltas()
        row = totals.setdefault(change.variation_id, [0, 0, 0, 0])
        for index, state in enumerate(STATES):
            row[index] += moves.get(state, 0)
        row[3] = max(row[3], change.created_at)
    return totals


def merge(counts: Totals, variation_id: str, moves: list[int]) -> None:
    row = counts.setdefault(variation_id, [0, 0, 0, 0])
    for index in range(3):
        row[index] += moves[index]
    row[3] = max(row[3], moves[3])


def _sold(order: Record, payment: Record) -> list[StockChange]:
    """A sale takes its lines out of stock when it happens; Square records that when the sale reaches it."""
    lines = orjson.loads(order.body)["line_items"]
    recorded = payment.facts.uploaded or order.created
    move = ("SALE", "IN_STOCK", "SOLD", recorded, payment.facts.team_member_id)
    return [_line_change(order, line, move, transaction_id=order.id) for line in lines]


def _returned(order: Record, refund: Record) -> list[StockChange]:
    """Returned goods go back on the shelf."""
    lines = orjson.loads(order.body)["returns"][0]["return_line_items"]
    move = ("RETURN", "SOLD", "IN_STOCK", order.created, refund.facts.team_member_id)
    return [_line_change(order, line, move, refund_id=refund.id) for line in lines]


def _line_change(order: Record, line: dict, move: tuple, **reference: str) -> StockChange:
    """``move``: (reason, from state, to state, recorded at, team member) of one order line."""
    reason, from_state, to_state, recorded, team_member_id = move
    return StockChange(
        id=stable_id(reason.lower(), order.id, line["uid"]),
        kind="ADJUSTMENT",
        reason=reason,
        location_id=order.location_id,
        variation_id=line["catalog_object_id"],
        from_state=from_state,
        to_state=to_state,
        quantity=int(line["quantity"]),
        occurred_at=order.created,
        created_at=recorded,
        team_member_id=team_member_id,
        **reference,
    )
