"""What the sandbox will change, and when: read from its truth as of a later clock, so a test can place its
ticks between two uploads (the sandbox's clock is put back afterwards)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from zoneinfo import ZoneInfo

REPORTING = ZoneInfo("America/New_York")


def _parse(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def reporting_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(REPORTING).date()


def changes_by_day(
    chain, first_day: dt.date, after: dt.datetime, until: dt.datetime, kinds=("orders", "payments", "refunds")
) -> dict[dt.date, list[dt.datetime]]:
    """Per reporting day of created_at (from ``first_day``), the times (updated_at) of the changes that become
    visible in (after, until], as the sandbox will show them at ``until``."""
    before = chain.now()
    chain.set_clock(until)
    try:
        start = dt.datetime.combine(first_day, dt.time(), tzinfo=REPORTING)
        found: dict[dt.date, list[dt.datetime]] = defaultdict(list)
        for kind in kinds:
            for row in chain.truth(kind, start, until):
                updated = _parse(row["updated_at"])
                if after < updated <= until:
                    found[reporting_day(_parse(row["created_at"]))].append(updated)
        return {day: sorted(times) for day, times in found.items()}
    finally:
        chain.set_clock(before)
