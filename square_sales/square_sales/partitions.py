"""The daily partitions of the Square sales domain (shared by the raw assets and the dbt models), and the pure
functions that pick partition keys and business days.

A partition is a business day in ``REPORTING_TIMEZONE``. ``end_offset=1`` makes today's (still open) day
materializable, so the backfill window and the late-change sensor can refresh it during the day.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dagster import DailyPartitionsDefinition

from square_sales.settings import SquareSalesSettings, square_sales_settings

PARTITION_DATE_FORMAT = "%Y-%m-%d"


def build_daily_partitions(settings: SquareSalesSettings) -> DailyPartitionsDefinition:
    return DailyPartitionsDefinition(
        start_date=settings.partitions_start_date.isoformat(),
        timezone=settings.reporting_timezone,
        end_offset=1,
    )


@functools.cache
def daily_partitions() -> DailyPartitionsDefinition:
    """The partitions of this process's settings (built once, when the code location loads)."""
    return build_daily_partitions(square_sales_settings())


def trailing_partition_keys(partitions: DailyPartitionsDefinition, now: datetime, days: int) -> list[str]:
    """The last ``days`` daily partitions as of ``now``, today's (open) day included."""
    return list(partitions.get_partition_keys(current_time=now)[-days:])


def contiguous_ranges(keys: Iterable[str]) -> list[tuple[str, str]]:
    """Daily keys grouped into sorted (first, last) runs of consecutive days."""
    days = sorted({date.fromisoformat(k) for k in keys})
    ranges: list[tuple[str, str]] = []
    for day in days:
        if ranges and date.fromisoformat(ranges[-1][1]) + timedelta(days=1) == day:
            ranges[-1] = (ranges[-1][0], day.isoformat())
        else:
            ranges.append((day.isoformat(), day.isoformat()))
    return ranges


def business_day_bounds(day: date, timezone: str) -> tuple[datetime, datetime]:
    """[start, end) of a business day in ``timezone``, as UTC datetimes (23 or 25 hours around DST changes)."""
    zone = ZoneInfo(timezone)
    start = datetime.combine(day, time.min, tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    return start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC"))


def business_day_of(moment: datetime, timezone: str) -> date:
    """The business day (in ``timezone``) that a tz-aware instant belongs to."""
    return moment.astimezone(ZoneInfo(timezone)).date()
