"""Payouts: each location's card takings of a local day, less Square's fees and the card refunds given that day,
sent to the bank the next morning (SENT) and arrived the day after (PAID).

A card payment is settled on the day Square processed it: an offline one on the day its register uploaded
it. Cash, gift card and other tenders never reach a payout (gift card money was collected when the card was
sold).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from square_sandbox.cache import BoundedCache
from square_sandbox.days import LATE_HORIZON_US
from square_sandbox.ids import EPOCH_DAY
from square_sandbox.listing import hex_id
from square_sandbox.payments import GIFT_CARD_BRAND
from square_sandbox.records import EVENTUALLY, Record
from square_sandbox.sales import money
from square_sandbox.store import Store
from square_sandbox.timeutil import US_PER_HOUR, format_us
from square_sandbox.world import Location, World


@dataclasses.dataclass(frozen=True, slots=True)
class PayoutEntry:
    id: str
    payout_id: str
    effective_at: int
    entry_type: str  # CHARGE | REFUND
    gross: int
    fee: int
    payment_id: str
    refund_id: str | None

    def body(self) -> dict:
        entry = {
            "id": self.id,
            "payout_id": self.payout_id,
            "effective_at": format_us(self.effective_at),
            "type": self.entry_type,
            "gross_amount_money": money(self.gross),
            "fee_amount_money": money(self.fee),
            "net_amount_money": money(self.gross - self.fee),
        }
        if self.entry_type == "CHARGE":
            entry["type_charge_details"] = {"payment_id": self.payment_id}
        else:
            entry["type_refund_details"] = {"payment_id": self.payment_id, "refund_id": self.refund_id}
        return entry


@dataclasses.dataclass(frozen=True)
class Payout:
    id: str
    location: Location
    day: dt.date  # the business day it settles
    created: int
    paid: int
    entries: tuple[PayoutEntry, ...]
    bank_account_id: str

    @property
    def amount(self) -> int:
        return sum(entry.gross - entry.fee for entry in self.entries)

    def status(self, now: int) -> str:
        return "PAID" if self.paid <= now else "SENT"

    def body(self, now: int) -> dict:
        paid = self.paid <= now
        return {
            "id": self.id,
            "status": self.status(now),
            "location_id": self.location.id,
            "created_at": format_us(self.created),
            "updated_at": format_us(self.paid if paid else self.created),
            "amount_money": money(self.amount),
            "destination": {"type": "BANK_ACCOUNT", "id": self.bank_account_id},
            "version": 2 if paid else 1,
            "type": "BATCH",
            "arrival_date": (self.day + dt.timedelta(days=2)).isoformat(),
            "end_to_end_id": f"L2{self.id[-12:]}",
        }

    def truth(self) -> dict:
        """The ground truth of the payout's day: what it settles."""
        charges = [e for e in self.entries if e.entry_type == "CHARGE"]
        return {
            "location_id": self.location.id,
            "date": self.day.isoformat(),
            "payout_id": self.id,
            "card_payments": sum(e.gross for e in charges),
            "fees": sum(e.fee for e in charges),
            "refunds": -sum(e.gross for e in self.entries if e.entry_type == "REFUND"),
            "amount": self.amount,
            "entries": len(self.entries),
        }


def payout_origin(payout_id: str) -> tuple[int, dt.date] | None:
    """(location index, day) a payout id was made from (its last six hex digits)."""
    try:
        return int(payout_id[-6:-4], 16), EPOCH_DAY + dt.timedelta(days=int(payout_id[-4:], 16))
    except (ValueError, IndexError):
        return None


def _settled_by_card(payment_facts) -> bool:
    return payment_facts.tender == "CARD" and payment_facts.card_brand != GIFT_CARD_BRAND


class Payouts:
    def __init__(self, world: World, store: Store) -> None:
        self.world = world
        self.store = store
        self.bank_account_id = hex_id(world.config.seed, "bank-account", length=22)
        self._payouts = BoundedCache(16_384)  # (location, day) -> (payout or None,)

    def payout(self, location: Location, day: dt.date) -> Payout | None:
        """The payout settling ``day`` at ``location`` (None when no card money moved that day); a payout never
        changes, so it is kept."""
        key = (location.index, day)
        found = self._payouts.get(key)
        if found is None:
            found = (self._settle(location, day),)
            self._payouts.put(key, found)
        return found[0]

    def _settle(self, location: Location, day: dt.date) -> Payout | None:
        start, end = location.day_bounds(day)
        tail = f"{location.index:02x}{(day - EPOCH_DAY).days:04x}"
        payout_id = f"po_{hex_id(self.world.config.seed, 'payout', location.id, day, length=26)}{tail}"
        entries = [
            PayoutEntry(f"poe_{hex_id('charge', p.id, length=26)}", payout_id, processed, "CHARGE", p.total,
                        p.facts.fee, p.id, None)
            for p in self._card_payments(location, start, end)
            for processed in [p.facts.uploaded or p.created]
            if start <= processed < end
        ]  # fmt: skip
        refunds = self.store.all_records("refund", [location], {"created_at": (start, end - 1)}, EVENTUALLY)
        entries += [
            PayoutEntry(f"poe_{hex_id('refund', r.id, length=26)}", payout_id, r.created, "REFUND", -r.total, 0,
                        r.facts.payment_id, r.id)
            for r in refunds if _settled_by_card(r.facts.payment)
        ]  # fmt: skip
        if not entries:
            return None
        midnight = location.business_midnight(day + dt.timedelta(days=1))
        entries.sort(key=lambda entry: (entry.effective_at, entry.id))
        return Payout(payout_id, location, day, midnight + 5 * US_PER_HOUR, midnight + 33 * US_PER_HOUR,
                      tuple(entries), self.bank_account_id)  # fmt: skip

    def _card_payments(self, location: Location, start: int, end: int) -> list[Record]:
        """Card payments that may be processed in [start, end): created up to the late horizon before (offline
        uploads)."""
        window = {"created_at": (start - LATE_HORIZON_US, end - 1)}
        payments = self.store.all_records("payment", [location], window, EVENTUALLY)
        return [payment for payment in payments if _settled_by_card(payment.facts)]
