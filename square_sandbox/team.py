"""The chain's team: members per location with their job and wage, and who works when on each location-day.

A location-day's rota comes from its own generator (seed, location, date), not from the day's sales, so the
timecards of a day can be known without generating its sales, and every sale is rung up by someone on duty.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

from square_sandbox.ids import random_id, rng_for
from square_sandbox.timeutil import US_PER_HOUR, US_PER_SECOND, format_us

FIRST_NAMES = ["Avery", "Blake", "Casey", "Devon", "Emery", "Finley", "Harper", "Jordan", "Kendall", "Logan",
               "Morgan", "Noel", "Parker", "Quinn", "Reese", "Riley", "Sage", "Taylor"]  # fmt: skip
LAST_NAMES = ["Adams", "Baker", "Chen", "Diaz", "Evans", "Fischer", "Gupta", "Hughes", "Ito", "Jones", "Khan",
              "Lopez", "Moreau", "Nakamura", "Olsen", "Patel"]  # fmt: skip
# Job title, hourly rate in cents, how many per store.
JOBS = [("Store Manager", 2800, 1), ("Shift Lead", 2100, 2), ("Sales Associate", 1650, 5)]
MINUTE_US = 60 * US_PER_SECOND
BREAK_US = 30 * MINUTE_US  # unpaid, in the middle of every shift


@dataclasses.dataclass(frozen=True)
class TeamMember:
    id: str
    location_id: str
    given_name: str
    family_name: str
    job_id: str
    job_title: str
    hourly_rate: int  # cents
    created_at: int

    @property
    def is_lead(self) -> bool:
        return self.job_title != "Sales Associate"

    def body(self) -> dict:
        """Square's TeamMember (with its wage setting)."""
        created = format_us(self.created_at)
        return {
            "id": self.id,
            "reference_id": f"EMP-{self.id[-6:]}",
            "is_owner": False,
            "status": "ACTIVE",
            "given_name": self.given_name,
            "family_name": self.family_name,
            "email_address": f"{self.given_name.lower()}.{self.family_name.lower()}@cornergoods.example",
            "created_at": created,
            "updated_at": created,
            "assigned_locations": {
                "assignment_type": "EXPLICIT_LOCATIONS",
                "location_ids": [self.location_id],
            },
            "wage_setting": {
                "team_member_id": self.id,
                "job_assignments": [
                    {
                        "job_title": self.job_title,
                        "pay_type": "HOURLY",
                        "hourly_rate": {"amount": self.hourly_rate, "currency": "USD"},
                        "job_id": self.job_id,
                    }
                ],
                "is_overtime_exempt": self.job_title == "Store Manager",
                "version": 1,
                "created_at": created,
                "updated_at": created,
            },
        }


def build_team(seed: int, location_ids: list[str], hired_before: int) -> dict[str, list[TeamMember]]:
    """Location id -> its members (manager first), hired in the year before ``hired_before``."""
    rng = rng_for(seed, "team")
    job_ids = {title: random_id(rng, 20) for title, _, _ in JOBS}
    team: dict[str, list[TeamMember]] = {}
    for location_id in location_ids:
        members = []
        for title, rate, count in JOBS:
            for _ in range(count):
                hired = hired_before - rng.randrange(30, 365) * 24 * US_PER_HOUR
                members.append(
                    TeamMember(
                        id="TM" + random_id(rng, 14),
                        location_id=location_id,
                        given_name=rng.choice(FIRST_NAMES),
                        family_name=rng.choice(LAST_NAMES),
                        job_id=job_ids[title],
                        job_title=title,
                        hourly_rate=rate + rng.randrange(0, 4) * 25,
                        created_at=hired // 1000 * 1000,
                    )
                )
        team[location_id] = members
    return team


@dataclasses.dataclass(frozen=True)
class WorkShift:
    """One member's shift on a location-day: [start, end) with an unpaid break [break_start, break_end)."""

    member: TeamMember
    start: int
    end: int
    break_start: int

    @property
    def break_end(self) -> int:
        return self.break_start + BREAK_US

    def on_duty(self, us: int) -> bool:
        return self.start <= us < self.end and not self.break_start <= us < self.break_end


@dataclasses.dataclass(frozen=True)
class Rota:
    shifts: tuple[WorkShift, ...]

    def on_duty(self, us: int) -> list[TeamMember]:
        """Who can ring up a sale at ``us``: on shift and not on break (a lead when nobody else is)."""
        members = [shift.member for shift in self.shifts if shift.on_duty(us)]
        if members:
            return members
        return [shift.member for shift in self.shifts if shift.member.is_lead][:1]


def rota(seed: int, location_index: int, day: dt.date, midnight: int, members: list[TeamMember]) -> Rota:
    """The opening crew (7:30-15:30) and the closing crew (13:30-21:30), each a lead and one or two associates;
    the manager leads the opening on weekdays. Breaks are staggered so the till is never left alone."""
    rng = rng_for(seed, "rota", location_index, day.isoformat())
    leads = [member for member in members if member.is_lead and member.job_title != "Store Manager"]
    associates = [member for member in members if not member.is_lead]
    manager = members[0]
    opening_lead = manager if day.weekday() < 5 else rng.choice(leads)
    closing_lead = rng.choice([lead for lead in leads if lead is not opening_lead])
    crew = rng.sample(associates, k=2 + rng.randrange(3))
    opening = [opening_lead, *crew[: len(crew) // 2]]
    closing = [closing_lead, *crew[len(crew) // 2 :]]
    shifts = []
    for crew_members, start_hour in ((opening, 7.5), (closing, 13.5)):
        for position, member in enumerate(crew_members):
            start = midnight + int(start_hour * US_PER_HOUR) + rng.randrange(0, 3) * 5 * MINUTE_US
            end = start + 8 * US_PER_HOUR + rng.randrange(0, 4) * 5 * MINUTE_US
            break_start = start + 3 * US_PER_HOUR + position * 40 * MINUTE_US
            shifts.append(WorkShift(member, start, end, break_start))
    return Rota(tuple(shifts))


def pick_on_duty(rng: random.Random, rota_of_day: Rota, us: int) -> TeamMember:
    return rng.choice(rota_of_day.on_duty(us))
