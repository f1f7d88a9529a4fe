"""A range pull that fails half-way (issue 14, item 3): the days it replaced before failing are recorded as they
were committed, they do not reach the marts unchecked, and the late-change sensor pulls the range again once
Square answers, after which the marts hold what Square holds. Square fails for one day through a loopback proxy.
"""

from __future__ import annotations

import datetime as dt

import pytest
from dagster import AssetRecordsFilter

from square_sales.ingestion.sensors import FIRST_RETRY
from square_sales.keys import raw_asset_key
from tests.timeline.changes import changes_by_day, reporting_day
from tests.timeline.conftest import BASE_NOW, CHAIN_START
from tests.timeline.failing_square import failing_day
from tests.timeline.platform import days_of

pytestmark = pytest.mark.slow

WINDOW_DAYS = 3
LATER = BASE_NOW + dt.timedelta(days=2)


def two_consecutive_changed_days(chain) -> tuple[dt.date, dt.date]:
    """Two consecutive days outside the window at LATER, both changed since the platform's last pull."""
    changed = set(changes_by_day(chain, CHAIN_START, BASE_NOW, LATER))
    oldest_in_window = reporting_day(LATER) - dt.timedelta(days=WINDOW_DAYS - 1)
    for day in sorted(changed):
        following = day + dt.timedelta(days=1)
        if following in changed and following < oldest_in_window:
            return day, following
    raise AssertionError("the sandbox should change two consecutive old days within two days")


def latest_orders_materialization(platform, day: dt.date):
    records = platform.instance.fetch_materializations(
        AssetRecordsFilter(raw_asset_key("orders"), asset_partitions=[day.isoformat()]), limit=1
    ).records
    return records[0]


def test_a_range_pull_failing_half_way_records_what_it_replaced_and_is_pulled_again(platform, chain):
    committed, failing = two_consecutive_changed_days(chain)
    platform.set_clock(LATER)

    # The sensor sees the changes and asks for a range holding both days; Square fails for the second one.
    with failing_day(chain.base_url, failing, platform.partitions.timezone) as proxy:
        platform.square_url = proxy
        result = platform.tick_changes()
        platform.square_url = chain.base_url
    [failed_range] = [r for r in result.run_requests if {committed, failing} <= days_of([r.tags])]
    failed_run = next(
        run for run in platform.instance.get_runs() if run.tags == {**run.tags, **failed_range.tags}
    )
    assert not failed_run.is_success

    # The day replaced before the failure is recorded, by that run; the failing day keeps its previous record.
    record = latest_orders_materialization(platform, committed)
    assert record.run_id == failed_run.run_id
    assert record.asset_materialization.metadata["committed_before_failure"].value is True
    assert latest_orders_materialization(platform, failing).run_id != failed_run.run_id

    # Unchecked (the run failed before its checks), the day does not flow into the marts yet.
    assert committed not in days_of(tags for _, tags in platform.tick_automation())

    # Square answers again: after its back-off the sensor asks for the range again, and it reaches the marts.
    platform.set_clock(LATER + FIRST_RETRY)
    again = platform.tick_changes()
    assert {committed, failing} <= days_of(r.tags for r in again.run_requests)
    assert all(success for kind, _, success in platform.launched.runs[-len(again.run_requests) :])
    assert {committed, failing} <= days_of(tags for _, tags in platform.tick_automation())
    platform.run_queued()
    assert platform.mismatches(committed - dt.timedelta(days=1), failing + dt.timedelta(days=1)) == []
