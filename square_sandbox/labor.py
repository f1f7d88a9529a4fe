"""Timecards: every shift of a location-day's rota, as Square's Labor API shows it as of the clock (OPEN while
the shift runs, CLOSED after; a break appears once started)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from square_sandbox.listing import stable_id
from square_sandbox.team import BREAK_US, WorkShift
from square_sandbox.timeutil import LATEST_US, format_us, from_us
from square_sandbox.world import Location, World

BREAK_TYPE_ID = stable_id("break-type", "Meal break", length=12)


@dataclasses.dataclass(frozen=True)
class Timecard:
    id: str
    location: Location
    shift: WorkShift

    @property
    def start(self) -> int:
        return self.shift.start

    def sort_value(self, field: str, now: int) -> int:
        """The value of a TimecardSortField (START_AT, END_AT, CREATED_AT, UPDATED_AT) as of ``now``; an open
        timecard has no end yet and sorts after every closed one."""
        if field in ("START_AT", "CREATED_AT"):
            return self.shift.start
        if field == "END_AT":
            return self.shift.end if self.shift.end <= now else LATEST_US
        return max(self._changes(now))

    def _changes(self, now: int) -> list[int]:
        shift = self.shift
        return [shift.start] + [t for t in (shift.break_start, shift.break_end, shift.end) if t <= now]

    def status(self, now: int) -> str:
        return "CLOSED" if self.shift.end <= now else "OPEN"

    def body(self, now: int) -> dict:
        shift, member = self.shift, self.shift.member
        closed = shift.end <= now
        changes = self._changes(now)
        card = {
            "id": self.id,
            "location_id": self.location.id,
            "timezone": self.location.timezone,
            "start_at": self._local(shift.start),
        }
        if closed:
            card["end_at"] = self._local(shift.end)
        card["wage"] = {
            "title": member.job_title,
            "hourly_rate": {"amount": member.hourly_rate, "currency": "USD"},
            "job_id": member.job_id,
            "tip_eligible": not member.is_lead,
        }
        if shift.break_start <= now:
            meal = {
                "id": stable_id("break", self.id, length=20),
                "start_at": self._local(shift.break_start),
                "break_type_id": BREAK_TYPE_ID,
                "name": "Meal break",
                "expected_duration": f"PT{BREAK_US // 60_000_000}M",
                "is_paid": False,
            }
            if shift.break_end <= now:
                meal["end_at"] = self._local(shift.break_end)
            card["breaks"] = [meal]
        card.update(
            status=self.status(now),
            version=len(changes),
            created_at=format_us(shift.start),
            updated_at=format_us(max(changes)),
            team_member_id=member.id,
        )
        return card

    def _local(self, us: int) -> str:
        """RFC 3339 in the location's time zone, as Square shows timecard times."""
        return from_us(us).astimezone(self.location.zone).isoformat(timespec="seconds")


def timecards(world: World, location: Location, day: dt.date, now: int) -> list[Timecard]:
    """The timecards of a location-day that have started by ``now``."""
    rota = world.rota(location, day)
    return [
        Timecard(stable_id("timecard", location.id, day, shift.member.id), location, shift)
        for shift in rota.shifts
        if shift.start <= now
    ]


def hours_paid(shift: WorkShift) -> float:
    """Hours worked, without the unpaid break."""
    return (shift.end - shift.start - BREAK_US) / 3_600_000_000
