"""Ground truth per location-day for inventory, cash drawers and payouts (``/_sandbox/ground-truth/{kind}``),
as of the clock, from the same objects the endpoints serve."""

from __future__ import annotations

import datetime as dt

from square_sandbox.errors import not_found
from square_sandbox.inventory import STATES
from square_sandbox.money_api import MoneyEndpoints
from square_sandbox.store_api import StoreEndpoints
from square_sandbox.world import Location, World

MOVES = {"SALE": "sold", "RETURN": "returned", "RECEIPT": "received", "WASTE": "waste"}


class OperationsTruth:
    def __init__(self, world: World, store_operations: StoreEndpoints, money: MoneyEndpoints) -> None:
        self.world = world
        self.inventory = store_operations.inventory
        self.drawers = store_operations.drawers
        self.payouts = money.payouts
        self._kinds = {
            "inventory": self._inventory,
            "cash-drawers": self._cash_drawers,
            "payouts": self._payouts,
        }

    def rows(self, kind: str, locations: list[Location], day: dt.date, now: int) -> list[dict]:
        if kind not in self._kinds:
            raise not_found(f"No ground truth for {kind!r}: ask for inventory, cash-drawers or payouts.")
        if day < self.world.config.start_date:
            return []
        return [row for location in locations for row in self._kinds[kind](location, day, now)]

    def _inventory(self, location: Location, day: dt.date, now: int) -> list[dict]:
        """Per variation: IN_STOCK at the start of the day, the day's movements, and IN_STOCK at its end."""
        opening = self.inventory.stock_before(location, day, now)
        moved: dict[str, dict[str, int]] = {}
        for change in self.inventory.day_changes(location, day):
            if change.created_at <= now:
                counts = moved.setdefault(change.variation_id, dict.fromkeys(MOVES.values(), 0))
                counts[MOVES[change.reason]] += change.quantity
        rows = []
        for variation in self.world.catalog.variations:
            start = opening.get(variation.id, [0] * 4)[STATES.index("IN_STOCK")]
            moves = moved.get(variation.id, dict.fromkeys(MOVES.values(), 0))
            closing = start + moves["received"] + moves["returned"] - moves["sold"] - moves["waste"]
            rows.append({"location_id": location.id, "date": day.isoformat(), "catalog_object_id": variation.id,
                         "opening": start, **moves, "closing": closing})  # fmt: skip
        return rows

    def _cash_drawers(self, location: Location, day: dt.date, now: int) -> list[dict]:
        """Per location-day: the sums of its drawer shifts (as Square shows them by now), and each shift."""
        shifts = [shift for shift in self.drawers.shifts(location, day) if shift.opened <= now]
        if not shifts:
            return []
        per_shift = [
            {"shift_id": shift.id, "register": shift.register, **shift.amounts(now)} for shift in shifts
        ]
        keys = ("opened_cash", "cash_sales", "cash_refunds", "paid_in", "paid_out", "expected")
        row = {
            "location_id": location.id,
            "date": day.isoformat(),
            **{key: sum(s[key] for s in per_shift) for key in keys},
        }
        counted = [s["counted"] for s in per_shift]
        row["counted"] = None if None in counted else sum(counted)
        row["over_short"] = None if row["counted"] is None else row["counted"] - row["expected"]
        row["shifts"] = per_shift
        return [row]

    def _payouts(self, location: Location, day: dt.date, now: int) -> list[dict]:
        payout = self.payouts.payout(location, day) if location.day_bounds(day)[0] <= now else None
        if payout is None or payout.created > now:
            return []
        return [{**payout.truth(), "status": payout.status(now)}]
