"""The one daily partitions definition of the Square sales domain, shared by the raw assets and dbt models.

A partition is a business day in ``REPORTING_TIMEZONE``. ``end_offset=1`` makes today's (still open) day
materializable, so the backfill window and the late-upload sensor can refresh it during the day.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dagster import DailyPartitionsDefinition

from square_sales.config import load_square_sales_settings

_settings = load_square_sales_settings()

daily_partitions = DailyPartitionsDefinition(
    start_date=_settings.partitions_start_date.isoformat(),
    timezone=_settings.reporting_timezone,
    end_offset=1,
)

PARTITION_DATE_FORMAT = "%Y-%m-%d"


def business_day_bounds(day: date, timezone: str) -> tuple[datetime, datetime]:
    """[start, end) of a business day in ``timezone``, as UTC datetimes (23 or 25 hours around DST changes)."""
    zone = ZoneInfo(timezone)
    start = datetime.combine(day, time.min, tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    return start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC"))


def business_day_of(moment: datetime, timezone: str) -> date:
    """The business day (in ``timezone``) that a tz-aware instant belongs to."""
    return moment.astimezone(ZoneInfo(timezone)).date()
