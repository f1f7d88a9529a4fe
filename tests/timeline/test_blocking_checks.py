"""Blocking raw checks block (issue 15, item 4), through the automation sensor on a real instance: a raw day
holding a duplicate order (its ``no_duplicate_ids`` check fails) does not flow into the marts, and flows once it is
pulled again and passes. Square's answers never repeat an id through the writer (it drops repeats), so the test
lands the duplicate the way a faulty writer outside Dagster would, and reports the change as such a writer must.
"""

from __future__ import annotations

import datetime as dt
import io

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from dagster import AssetMaterialization

from data_platform.partition_ranges import partition_range_tags
from square_sales.ingestion.layout import ORDERS
from square_sales.keys import raw_asset_key
from tests.timeline.changes import changes_by_day, reporting_day
from tests.timeline.conftest import BASE_NOW, CHAIN_START
from tests.timeline.platform import days_of

pytestmark = pytest.mark.slow

LATER = BASE_NOW + dt.timedelta(days=2)


def an_old_changed_day(chain) -> dt.date:
    changed = changes_by_day(chain, CHAIN_START, BASE_NOW, LATER)
    return min(day for day in changed if (reporting_day(LATER) - day).days >= 3)


def land_a_duplicate(platform, day: dt.date) -> None:
    path = ORDERS.partition_path(day)
    table = pq.read_table(io.BytesIO(platform.lake.read_bytes(path)))
    with platform.lake.staged_file(path) as staged:
        pq.write_table(pa.concat_tables([table, table.slice(0, 1)]), staged)
    platform.instance.report_runless_asset_event(
        AssetMaterialization(
            raw_asset_key("orders"), partition=day.isoformat(), metadata={"writer": "outside"}
        )
    )


def test_a_raw_day_with_a_duplicate_is_held_back_until_it_passes(platform, chain):
    day = an_old_changed_day(chain)
    platform.set_clock(LATER)

    land_a_duplicate(platform, day)
    checks = platform.run_raw_checks(day)
    failed = [
        e.event_specific_data.check_name
        for e in checks.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION" and not e.event_specific_data.passed
    ]
    assert "no_duplicate_ids" in failed
    assert day not in days_of(tags for _, tags in platform.tick_automation()), "broken raw data flowed"
    assert day not in days_of(tags for _, tags in platform.tick_automation())

    # Pulled again from Square (one copy of each order), the checks pass and the day reaches the marts. (With
    # the day after: a store west of New York closes its day in the next raw partition.)
    following = day + dt.timedelta(days=1)
    assert platform.pull(partition_range_tags(day.isoformat(), following.isoformat())).success
    assert day in days_of(tags for _, tags in platform.tick_automation())
    platform.run_queued()
    assert platform.mismatches(day, day) == []
    [(orders, distinct)] = platform.query("select count(*), count(distinct order_id) from marts.fct_orders")
    assert orders == distinct
