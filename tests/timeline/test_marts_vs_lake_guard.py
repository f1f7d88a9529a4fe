"""The guard (issue 14, item 5): when the marts fall behind the lake, ``marts_match_lake`` fails with the store-days
that differ and says for how long; the repair sensor re-pulls those days, the automation rebuilds them, and the
check passes again. A warehouse held by another writer is reported as such, not as a crash."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest

from data_platform.partition_ranges import partition_range_tags
from tests.timeline.changes import changes_by_day, reporting_day
from tests.timeline.conftest import BASE_NOW, CHAIN_START
from tests.timeline.platform import days_of

pytestmark = pytest.mark.slow

LATER = BASE_NOW + dt.timedelta(days=2)


def test_marts_behind_the_lake_are_found_rebuilt_and_then_match(platform, chain):
    assert platform.run_guard()[1].passed
    changed = sorted(
        d for d in changes_by_day(chain, CHAIN_START, BASE_NOW, LATER) if d <= reporting_day(BASE_NOW)
    )
    platform.set_clock(LATER)
    # The lake moves on (a backfill, say) and no dbt run follows: the marts are behind.
    first, last = changed[0].isoformat(), changed[-1].isoformat()
    assert platform.pull(partition_range_tags(first, last)).success

    evaluation = platform.run_guard()[1]
    assert not evaluation.passed
    differing = {dt.date.fromisoformat(d) for d in evaluation.metadata["differing_days"].value}
    assert differing and differing <= set(
        days_of([partition_range_tags(first, last)]) | {changed[-1] + dt.timedelta(days=1)}
    )
    # The re-pulled partitions are newer than the marts were built from (the staging views, which read base
    # tables only dbt refreshes, cannot show it), whether or not their figures changed.
    assert evaluation.metadata["raw_partitions_behind"].value >= 1
    assert evaluation.metadata["max_hours_behind"].value >= 0
    assert "raw partition(s) newer than the marts were built from" in evaluation.description
    assert "behind" in evaluation.description

    repair = platform.tick_repair()
    assert differing <= days_of(r.tags for r in repair.run_requests)
    platform.tick_automation()
    platform.run_queued()
    assert platform.run_guard()[1].passed
    assert platform.mismatches(changed[0], changed[-1]) == []


HOLD_THE_WAREHOUSE = (
    "import duckdb, sys, time; connection = duckdb.connect(sys.argv[1]); print('holding', flush=True); "
    "time.sleep(120)"
)


def test_a_warehouse_held_by_another_writer_is_reported_clearly(platform):
    # Another process writes the warehouse (dbt run by hand, say): DuckDB lets no one else open it meanwhile.
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_WAREHOUSE, str(platform.warehouse_path)],
        stdout=subprocess.PIPE,
        text=True,
    )
    platform.warehouse_lock_wait_seconds = 2  # the guard waits this long for the file, then says who holds it
    try:
        assert holder.stdout.readline().strip() == "holding"
        result, evaluation = platform.run_guard()
    finally:
        holder.kill()
        holder.wait()
    assert evaluation is None and not result.success
    failures = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    message = failures[0].event_specific_data.error.message
    assert "is held open by" in message and "next schedule tick" in message, message
