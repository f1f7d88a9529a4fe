"""Every change Square reports is pulled by someone (issue 14, items 1 and 4), through the real late-change sensor
and backfill-window schedule on a real instance, on the sandbox's clock.

1. The window's edge: the 23:00 window run (reporting zone) covers D-2..D; a sale of D-2 uploaded between 23:00 and
   midnight is seen by the sensor while D-2 is still inside the window, and the 00:00 run covers D-1..D+1. The
   sensor used to drop it ("inside the backfill window"); now the day stays pending until a pull started after the
   change, and the sensor pulls it once it has left the window.
2. A long backlog: ten days of changes are read over several ticks, each within its budget.
"""

from __future__ import annotations

import datetime as dt
import io

import pyarrow.parquet as pq
import pytest

from data_platform.partition_ranges import partition_range_tags
from square_sales.ingestion.layout import ORDERS, PAYMENTS, REFUNDS
from square_sales.ingestion.sensors import build_late_change_sensor
from square_sales.partitions import contiguous_ranges
from tests.timeline.changes import REPORTING, changes_by_day, reporting_day
from tests.timeline.conftest import BASE_NOW, CHAIN_START
from tests.timeline.platform import SimulatedPlatform, days_of

pytestmark = pytest.mark.slow

WINDOW_DAYS = 3


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=REPORTING).astimezone(dt.UTC)


def lake_differences(platform: SimulatedPlatform, days) -> list[str]:
    """Objects Square holds now for ``days`` (by created_at in the reporting zone) that the lake lacks, or holds
    at an older update."""
    found = []
    for entity, kind in ((ORDERS, "orders"), (PAYMENTS, "payments"), (REFUNDS, "refunds")):
        for day in days:
            start = dt.datetime.combine(day, dt.time(), tzinfo=REPORTING)
            truth = {
                r["id"]: r["updated_at"]
                for r in platform.square.truth(kind, start, start + dt.timedelta(days=1))
            }
            path = entity.partition_path(day)
            lake = {}
            if platform.lake.exists(path):
                table = pq.read_table(
                    io.BytesIO(platform.lake.read_bytes(path)), columns=["id", "updated_at"]
                )
                lake = dict(
                    zip(table.column("id").to_pylist(), table.column("updated_at").to_pylist(), strict=True)
                )
            for object_id, updated in truth.items():
                held = lake.get(object_id)
                if held is None or held < dt.datetime.fromisoformat(updated.replace("Z", "+00:00")):
                    found.append(f"{kind} {object_id} of {day} (updated {updated}): lake has {held}")
    return found


def an_upload_at_the_windows_edge(chain) -> tuple[dt.date, dt.datetime]:
    """A day D-2 changed between 23:00 and midnight (reporting zone) of day D, and not again until 00:05:
    (D-2, the time of its last change that evening)."""
    changes = changes_by_day(chain, CHAIN_START, BASE_NOW, BASE_NOW + dt.timedelta(days=12))
    for day, times in sorted(changes.items()):
        edge = day + dt.timedelta(days=WINDOW_DAYS - 1)
        evening = [t for t in times if at(edge, 23) <= t < at(edge, 23, 58) and t > BASE_NOW]
        after_midnight = at(edge + dt.timedelta(days=1), 0, 5)
        if evening and not [t for t in times if evening[-1] < t <= after_midnight]:
            return day, evening[-1]
    raise AssertionError("the sandbox should upload some sale two days late in the evening")


def test_a_change_at_the_windows_edge_is_pulled_after_the_day_leaves_the_window(chain, tmp_path):
    day, uploaded = an_upload_at_the_windows_edge(chain)
    edge = day + dt.timedelta(days=WINDOW_DAYS - 1)  # the window's last day when the change lands
    chain.set_clock(at(edge, 22, 50))
    platform = SimulatedPlatform(chain, tmp_path / "platform")
    try:
        platform.tick_changes()  # first tick: the sensor records where Square stands
        platform.set_clock(at(edge, 23))
        assert platform.tick_window()  # covers day..edge
        platform.set_clock(uploaded + dt.timedelta(minutes=1))
        assert not platform.tick_changes().run_requests, "the day is in the window: its run is the window's"
        platform.set_clock(at(edge + dt.timedelta(days=1), 0))
        platform.tick_window()  # covers day+1..edge+1
        platform.set_clock(at(edge + dt.timedelta(days=1), 0, 5))
        result = platform.tick_changes()
        assert [r.tags["dagster/asset_partition_range_start"] for r in result.run_requests] == [
            day.isoformat()
        ]
        assert all(success for _, _, success in platform.launched.runs)
        assert lake_differences(platform, [day]) == []
    finally:
        chain.set_clock(BASE_NOW)


def test_a_ten_day_backlog_is_read_over_several_ticks_each_within_its_budget(chain, tmp_path):
    platform = SimulatedPlatform(chain, tmp_path / "platform")
    # A budget spent before reading starts: each tick reads one page and stops, so the backlog takes several ticks
    # whatever the machine's speed (a small positive budget did not on a fast machine: all 13 pages in one tick).
    budget = 0.0
    sensor = build_late_change_sensor(
        platform.partitions, WINDOW_DAYS, 30, clock=lambda: platform.now, tick_budget_seconds=budget
    )
    try:
        platform.tick_changes(sensor)  # first tick at BASE_NOW
        later = BASE_NOW + dt.timedelta(days=10)
        changed = set(changes_by_day(chain, CHAIN_START, BASE_NOW, later))
        platform.set_clock(later)
        durations, requested = [], set()
        while len(durations) < 100:
            result = platform.tick_changes(sensor, launch=False)  # pulled below, in fewer runs
            durations.append(platform.last_tick_seconds)
            requested |= days_of(r.tags for r in result.run_requests)
            # A tick that requests runs says nothing else; the reading is done once a quiet tick says so.
            if result.skip_message and "more next tick" not in result.skip_message:
                break
        assert len(durations) >= 4, "ten days of changes should need several ticks at this budget"
        # Each tick reads one page past its budget at most, then settles days: far from Dagster's 60 s timeout.
        assert max(durations) < 10, durations
        today = reporting_day(later)
        window = {today - dt.timedelta(days=n) for n in range(WINDOW_DAYS)}
        assert {d for d in changed if d not in window} <= requested
        # The requested days pulled, the window's days left to its run: then nothing is pending, and the lake
        # holds every change.
        for first, last in contiguous_ranges(d.isoformat() for d in requested):
            assert platform.pull(partition_range_tags(first, last)).success
        platform.tick_window()
        result = platform.tick_changes(sensor)
        assert not result.run_requests and "0 pending" in result.skip_message, result.skip_message
        assert lake_differences(platform, sorted(changed)) == []
    finally:
        chain.set_clock(BASE_NOW)
