"""Cash drawer shifts: one per register and location-day, opened with a float before the store opens and
counted after it closes.

Cash comes in from the cash payments rung up at that register (Square knows an offline one once uploaded) and
goes out for cash refunds of that register's sales given that day; paid in / paid out and "no sale" openings
draw from their own generator (seed, "drawer", location, date, register). The count at closing finds all the
cash physically there, uploaded or not, give or take a small over/short.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from square_sandbox.ids import EPOCH_DAY, rng_for
from square_sandbox.listing import hex_id, uuid_like
from square_sandbox.records import EVENTUALLY, Record
from square_sandbox.sales import money
from square_sandbox.store import Store
from square_sandbox.timeutil import US_PER_HOUR, US_PER_SECOND, format_us
from square_sandbox.world import Location, World

MINUTE = 60 * US_PER_SECOND
FLOATS = (15000, 20000)  # opening cash, by register


@dataclasses.dataclass(frozen=True, slots=True)
class DrawerEvent:
    id: str
    event_type: str  # CASH_TENDER_PAYMENT | CASH_TENDER_REFUND | PAID_IN | PAID_OUT | NO_SALE
    amount: int
    at: int
    recorded: int  # when Square knew of it (an offline payment's upload)
    team_member_id: str
    description: str

    def body(self) -> dict:
        return {
            "id": self.id,
            "event_type": self.event_type,
            "event_money": money(self.amount),
            "created_at": format_us(self.at),
            "description": self.description,
            "team_member_id": self.team_member_id,
        }


@dataclasses.dataclass(frozen=True)
class DrawerShift:
    id: str
    location: Location
    register: str
    opened: int
    ended: int
    closed: int
    opened_cash: int
    events: tuple[DrawerEvent, ...]
    over_short: int  # what the count finds beyond the cash that should be there
    opening_member: str
    closing_member: str
    team_member_ids: tuple[str, ...]

    def state(self, now: int) -> str:
        return "CLOSED" if self.closed <= now else "ENDED" if self.ended <= now else "OPEN"

    def amounts(self, now: int) -> dict[str, int | None]:
        """What the drawer shift says as of ``now``: its movements as Square knows them, the expected cash,
        and (once closed) the counted cash."""
        known = [event for event in self.events if event.recorded <= now and event.at <= now]
        total = {kind: sum(e.amount for e in known if e.event_type == kind) for kind in
                 ("CASH_TENDER_PAYMENT", "CASH_TENDER_REFUND", "PAID_IN", "PAID_OUT")}  # fmt: skip
        expected = (self.opened_cash + total["CASH_TENDER_PAYMENT"] - total["CASH_TENDER_REFUND"] + total["PAID_IN"]
                    - total["PAID_OUT"])  # fmt: skip
        counted = None
        if self.closed <= now:
            physical = [e for e in self.events if e.at <= self.closed]
            signs = {
                "CASH_TENDER_PAYMENT": 1,
                "PAID_IN": 1,
                "CASH_TENDER_REFUND": -1,
                "PAID_OUT": -1,
                "NO_SALE": 0,
            }
            counted = (
                self.opened_cash + sum(signs[e.event_type] * e.amount for e in physical) + self.over_short
            )
        return {
            "opened_cash": self.opened_cash,
            "cash_sales": total["CASH_TENDER_PAYMENT"],
            "cash_refunds": total["CASH_TENDER_REFUND"],
            "paid_in": total["PAID_IN"],
            "paid_out": total["PAID_OUT"],
            "expected": expected,
            "counted": counted,
        }

    def updated(self, now: int) -> int:
        times = [self.opened] + [e.recorded for e in self.events if e.recorded <= now and e.at <= now]
        times += [t for t in (self.ended, self.closed) if t <= now]
        return max(times)

    def summary(self, now: int) -> dict:
        """Square's CashDrawerShiftSummary."""
        amounts = self.amounts(now)
        found = {"id": self.id, "state": self.state(now), "opened_at": format_us(self.opened)}
        if self.ended <= now:
            found["ended_at"] = format_us(self.ended)
        if self.closed <= now:
            found["closed_at"] = format_us(self.closed)
        found.update(description=f"{self.register.rsplit('-', 1)[-1]} drawer", opened_cash_money=money(self.opened_cash),
                     expected_cash_money=money(amounts["expected"]))  # fmt: skip
        if amounts["counted"] is not None:
            found["closed_cash_money"] = money(amounts["counted"])
        found.update(
            created_at=format_us(self.opened),
            updated_at=format_us(self.updated(now)),
            location_id=self.location.id,
        )
        return found

    def body(self, now: int) -> dict:
        """Square's CashDrawerShift."""
        amounts = self.amounts(now)
        found = self.summary(now)
        found.update(
            cash_payment_money=money(amounts["cash_sales"]),
            cash_refunds_money=money(amounts["cash_refunds"]),
            cash_paid_in_money=money(amounts["paid_in"]),
            cash_paid_out_money=money(amounts["paid_out"]),
            device={"id": self.register, "name": self.register.rsplit("-", 1)[-1]},
            team_member_ids=list(self.team_member_ids),
            opening_team_member_id=self.opening_member,
        )
        if self.ended <= now:
            found["ending_team_member_id"] = self.closing_member
        if self.closed <= now:
            found["closing_team_member_id"] = self.closing_member
        return found

    def events_as_of(self, now: int) -> list[DrawerEvent]:
        return sorted(
            (e for e in self.events if e.recorded <= now and e.at <= now), key=lambda e: (e.at, e.id)
        )


def drawer_origin(shift_id: str) -> tuple[int, dt.date, int] | None:
    """(location index, day, register index) a drawer shift id was made from."""
    tail = shift_id.rsplit("-", 1)[-1]
    try:
        return int(tail[0:2], 16), EPOCH_DAY + dt.timedelta(days=int(tail[2:6], 16)), int(tail[6:8], 16)
    except (ValueError, IndexError):
        return None


class Drawers:
    def __init__(self, world: World, store: Store) -> None:
        self.world = world
        self.store = store

    def shifts(self, location: Location, day: dt.date) -> list[DrawerShift]:
        """The day's drawer shifts, one per register (every movement, recorded now or later)."""
        start, end = location.day_bounds(day)
        payments = self.store.all_records("payment", [location], {"created_at": (start, end - 1)}, EVENTUALLY)
        payments = [p for p in payments if p.facts.tender == "CASH"]
        # Cash refunds from 21:00 the day before (after that drawer ended) to 21:00: a return taken outside
        # opening hours is paid from the next drawer to open.
        midnight = location.business_midnight(day)
        window = {"created_at": (midnight - 3 * US_PER_HOUR, midnight + 21 * US_PER_HOUR - 1)}
        refunds = [
            r
            for r in self.store.all_records("refund", [location], window, EVENTUALLY)
            if r.facts.payment.tender == "CASH"
        ]
        return [
            self._shift(location, day, index, register, payments, refunds)
            for index, register in enumerate(location.registers)
        ]

    def _shift(
        self,
        location: Location,
        day: dt.date,
        index: int,
        register: str,
        payments: list[Record],
        refunds: list[Record],
    ) -> DrawerShift:
        seed = self.world.config.seed
        rng = rng_for(seed, "drawer", location.index, day.isoformat(), index)
        midnight = location.business_midnight(day)
        opened = midnight + 7 * US_PER_HOUR + 45 * MINUTE + rng.randrange(10) * MINUTE
        ended = midnight + 21 * US_PER_HOUR + 5 * MINUTE + rng.randrange(10) * MINUTE
        closed = ended + rng.randrange(5, 15) * MINUTE
        rota = self.world.rota(location, day)
        opener, closer = rota.on_duty(opened)[0].id, rota.on_duty(ended)[0].id
        tail = f"{location.index:02x}{(day - EPOCH_DAY).days:04x}{index:02x}"
        shift_id = uuid_like(hex_id(seed, "drawer", location.id, day, register), tail + hex_id(tail)[:4])
        events = [
            DrawerEvent(hex_id("cash", p.id), "CASH_TENDER_PAYMENT", p.total, p.created, p.facts.uploaded or p.created,
                        p.facts.team_member_id, f"Cash payment {p.id[:8]}")
            for p in payments if p.facts.register == register
        ]  # fmt: skip
        events += [
            DrawerEvent(hex_id("refund", r.id), "CASH_TENDER_REFUND", r.total, max(r.created, opened), r.created,
                        r.facts.team_member_id, f"Cash refund {r.id[:8]}")
            for r in refunds if r.facts.payment.register == register
        ]  # fmt: skip
        events += self._drawer_movements(rng, shift_id, opened, ended, opener, closer)
        over_short = 0 if rng.random() < 0.7 else rng.choice([-1, 1]) * rng.randint(1, 500)
        return DrawerShift(shift_id, location, register, opened, ended, closed, FLOATS[index % 2], tuple(events),
                           over_short, opener, closer, tuple(s.member.id for s in rota.shifts))  # fmt: skip

    @staticmethod
    def _drawer_movements(
        rng, shift_id: str, opened: int, ended: int, opener: str, closer: str
    ) -> list[DrawerEvent]:
        """Paid in (change top-ups), paid out (small supplies) and a few "no sale" openings."""
        events = []
        moves = [("PAID_OUT", 0.35, (500, 4000), "Supplies"), ("PAID_IN", 0.1, (2000, 5000), "Change top-up")]
        for kind, chance, (low, high), reason in moves:
            if rng.random() < chance:
                at = rng.randrange(opened + US_PER_HOUR, ended - US_PER_HOUR) // 1000 * 1000
                amount = rng.randrange(low, high, 25)
                events.append(DrawerEvent(hex_id(shift_id, kind), kind, amount, at, at, closer, reason))
        for number in range(rng.randrange(3)):
            at = rng.randrange(opened, ended) // 1000 * 1000
            events.append(
                DrawerEvent(hex_id(shift_id, "NO_SALE", number), "NO_SALE", 0, at, at, opener, "No sale")
            )
        return events
