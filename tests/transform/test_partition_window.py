"""The partition window -> dbt vars mapping: pure, fast, and checked against real time zones."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from square_sales.transform.partition_window import dbt_window_for_partitions

NEW_YORK = ZoneInfo("America/New_York")


def test_one_partition_rebuilds_its_day_and_the_neighbours_it_can_spill_into():
    window = dbt_window_for_partitions(dt.date(2026, 3, 10), dt.date(2026, 3, 11))
    assert window.as_dbt_vars() == {
        "business_date_start": "2026-03-09",
        "business_date_end": "2026-03-11",
        "raw_partition_start": "2026-03-08",
        "raw_partition_end": "2026-03-12",
    }


def test_a_range_from_dagster_time_window_datetimes():
    # Dagster's partition_time_window: midnights in the partitions' zone, end exclusive (here across DST).
    start = dt.datetime(2026, 3, 7, tzinfo=NEW_YORK)
    end = dt.datetime(2026, 3, 10, tzinfo=NEW_YORK)
    window = dbt_window_for_partitions(start, end)
    assert (window.business_date_start, window.business_date_end) == (
        dt.date(2026, 3, 6),
        dt.date(2026, 3, 10),
    )
    assert (window.raw_partition_start, window.raw_partition_end) == (
        dt.date(2026, 3, 5),
        dt.date(2026, 3, 11),
    )


def test_an_empty_window_is_an_error():
    with pytest.raises(ValueError, match="Empty partition window"):
        dbt_window_for_partitions(dt.date(2026, 3, 10), dt.date(2026, 3, 10))


def local_days_of_raw_partition(day: dt.date, reporting: str, location: str) -> set[dt.date]:
    """Local days (in ``location``) of every minute of the reporting-zone day ``day`` (brute force)."""
    start = dt.datetime.combine(day, dt.time(), tzinfo=ZoneInfo(reporting)).astimezone(dt.UTC)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=ZoneInfo(reporting)).astimezone(
        dt.UTC
    )
    days, moment = set(), start
    while moment < end:
        days.add(moment.astimezone(ZoneInfo(location)).date())
        moment += dt.timedelta(minutes=30)
    return days


@pytest.mark.parametrize("reporting", ["America/New_York", "Europe/Paris", "UTC"])
@pytest.mark.parametrize(
    "location",
    [
        "America/Los_Angeles",
        "Pacific/Honolulu",
        "America/Anchorage",
        "Europe/London",
        "Asia/Tokyo",
        "Australia/Sydney",
    ],
)
@pytest.mark.parametrize(
    "day", [dt.date(2026, 3, 8), dt.date(2026, 3, 29), dt.date(2026, 11, 1), dt.date(2026, 7, 1)]
)
def test_every_local_day_a_raw_partition_touches_is_rebuilt_and_fully_read(reporting, location, day):
    window = dbt_window_for_partitions(day, day + dt.timedelta(days=1))
    touched = local_days_of_raw_partition(day, reporting, location)
    rebuilt = {window.business_date_start + dt.timedelta(days=n) for n in range(3)}
    assert touched <= rebuilt
    # Each rebuilt local day must be read whole: every raw partition holding part of it is in the window.
    for local_day in rebuilt:
        for raw_day in (local_day + dt.timedelta(days=n) for n in range(-3, 4)):
            if local_day in local_days_of_raw_partition(raw_day, reporting, location):
                assert window.raw_partition_start <= raw_day <= window.raw_partition_end, (local_day, raw_day)
