"""Disputes (chargebacks): about one card payment in 500 is disputed 10-45 days later; the seller has a week to
answer (EVIDENCE_REQUIRED), the bank then decides (PROCESSING) and the dispute ends WON or LOST a month later.

Which payments are disputed, and how each dispute goes, follows from the payment's id alone (a hash), so the
sales of a day are all a dispute needs.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from square_sandbox.cache import BoundedCache
from square_sandbox.listing import hex_id
from square_sandbox.payments import GIFT_CARD_BRAND
from square_sandbox.records import EVENTUALLY, Record
from square_sandbox.sales import money
from square_sandbox.store import Store
from square_sandbox.timeutil import US_PER_DAY, format_us
from square_sandbox.world import Location

DISPUTE_RATE = 0.002
REASONS = ["NO_KNOWLEDGE", "NOT_AS_DESCRIBED", "DUPLICATE", "AMOUNT_DIFFERS", "CANCELLED", "NOT_RECEIVED"]


def _fraction(*parts: object) -> float:
    """A number in [0, 1) that depends only on ``parts``."""
    return int(hex_id(*parts, length=12), 16) / 16**12


@dataclasses.dataclass(frozen=True, slots=True)
class Dispute:
    id: str
    location_id: str
    payment_id: str
    amount: int
    card_brand: str
    reason: str
    created: int
    won: bool

    def timeline(self) -> list[tuple[int, str]]:
        """(since, state): answered within a week, decided within a month."""
        return [
            (self.created, "EVIDENCE_REQUIRED"),
            (self.created + 7 * US_PER_DAY, "PROCESSING"),
            (self.created + 30 * US_PER_DAY, "WON" if self.won else "LOST"),
        ]

    def state(self, now: int) -> tuple[int, str, int]:
        """(since, state, version) as of ``now``."""
        reached = [(since, state) for since, state in self.timeline() if since <= now]
        since, state = reached[-1]
        return since, state, len(reached)

    def body(self, now: int) -> dict:
        since, state, version = self.state(now)
        created = dt.datetime.fromisoformat(format_us(self.created).replace("Z", "+00:00"))
        return {
            "dispute_id": self.id,
            "id": self.id,
            "amount_money": money(self.amount),
            "reason": self.reason,
            "state": state,
            "due_at": format_us(self.created + 7 * US_PER_DAY),
            "disputed_payment": {"payment_id": self.payment_id},
            "card_brand": self.card_brand,
            "created_at": format_us(self.created),
            "updated_at": format_us(since),
            "brand_dispute_id": hex_id("brand", self.id, length=16),
            "reported_date": created.date().isoformat(),
            "reported_at": format_us(self.created),
            "version": version,
            "location_id": self.location_id,
        }


class Disputes:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._days = BoundedCache(65_536)  # (location, day) -> disputes of that day's payments

    def of_day(self, location: Location, day: dt.date) -> list[Dispute]:
        """The disputes of the card payments rung up at ``location`` on ``day`` (whenever they are opened)."""
        found = self._days.get((location.index, day))
        if found is None:
            start, end = location.day_bounds(day)
            payments = self.store.all_records(
                "payment", [location], {"created_at": (start, end - 1)}, EVENTUALLY
            )
            found = [dispute for payment in payments if (dispute := _dispute(payment)) is not None]
            self._days.put((location.index, day), found)
        return found


def _dispute(payment: Record) -> Dispute | None:
    facts = payment.facts
    if (
        facts.tender != "CARD"
        or facts.card_brand == GIFT_CARD_BRAND
        or _fraction("dispute", payment.id) >= DISPUTE_RATE
    ):
        return None
    delay = 10 + int(_fraction("delay", payment.id) * 36)
    return Dispute(
        id=hex_id("dispute", payment.id, length=22),
        location_id=payment.location_id,
        payment_id=payment.id,
        amount=payment.total,
        card_brand=facts.card_brand or "OTHER_BRAND",
        reason=REASONS[int(_fraction("reason", payment.id) * len(REASONS))],
        created=(payment.created + delay * US_PER_DAY) // 1000 * 1000,
        won=_fraction("won", payment.id) < 0.6,
    )
