"""Offline-mode sales end to end through Dagster: ingest, let time pass, and watch late uploads reach the lake.

The sandbox clock runs close to the real clock here, because the sensor and the partitions judge "today" by the
real clock (as in production, where Square's clock is the real one).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import orjson
import pytest
from dagster import (
    AssetSelection,
    DagsterInstance,
    Definitions,
    PartitionKeyRange,
    build_schedule_context,
    build_sensor_context,
    define_asset_job,
)

from data_platform.partition_ranges import (
    PARTITION_RANGE_END_TAG,
    PARTITION_RANGE_START_TAG,
    partition_range_tags,
)
from data_platform.resources.lake import LakeResource
from square_sales.ingestion import ingestion_definitions
from square_sales.ingestion.layout import ORDERS, PAYMENTS
from square_sales.ingestion.resource import SquareClientResource
from square_sales.keys import raw_asset_key
from square_sales.partitions import build_daily_partitions, contiguous_ranges
from square_sales.settings import load_square_sales_settings
from tests.ingestion.support import read_partition
from tests.support.sandbox import sandbox

pytestmark = pytest.mark.slow

WINDOW_DAYS = 3
SETTINGS = load_square_sales_settings({"BACKFILL_WINDOW_DAYS": str(WINDOW_DAYS)})
daily_partitions = build_daily_partitions(SETTINGS)
REPORTING = ZoneInfo(daily_partitions.timezone)


def _range_tags(first: dt.date, last: dt.date) -> dict[str, str]:
    return partition_range_tags(first.isoformat(), last.isoformat())


def _day(timestamp: str) -> dt.date:
    return dt.datetime.fromisoformat(timestamp).astimezone(REPORTING).date()


def _check_evaluations(result):
    return [
        e.event_specific_data for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"
    ]


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    real_now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    t0 = real_now - dt.timedelta(days=3)
    with sandbox(
        locations=3,
        orders_per_day=20,
        seed=5,
        start_date=(real_now - dt.timedelta(days=45)).date(),
        now=t0,
        offline_share=0.15,
        # Dates follow the real clock: enough refunds that some always fall on orders older than the window.
        refund_share=0.08,
    ) as handle:
        lake = LakeResource(root_url=str(tmp_path_factory.mktemp("lake")))
        square = SquareClientResource(
            base_url=handle.base_url, access_token=handle.token, retry_max_seconds=30
        )
        audit_job = define_asset_job(
            "raw_orders_audit_only",
            selection=AssetSelection.checks_for_assets(raw_asset_key("orders")),
        )
        defs = Definitions.merge(
            ingestion_definitions(SETTINGS, daily_partitions),
            Definitions(jobs=[audit_job], resources={"square": square, "lake": lake}),
        )
        yield handle, defs, lake, square, t0, DagsterInstance.ephemeral()


def test_late_uploads_reach_the_lake_through_schedule_and_sensor(scenario):
    handle, defs, lake, square, t0, instance = scenario
    daily_job = defs.resolve_job_def("square_raw_daily_job")
    audit_job = defs.resolve_job_def("raw_orders_audit_only")
    sensor = defs.resolve_sensor_def("square_raw_late_change_sensor")
    window_schedule = defs.resolve_schedule_def("square_raw_backfill_window_schedule")
    audit_schedule = defs.resolve_schedule_def("square_raw_orders_audit_schedule")

    # 1. Ingest the twelve days up to T0's day, in one run; the completeness check passes.
    d = t0.astimezone(REPORTING).date()
    first_ingested = d - dt.timedelta(days=12)
    result = daily_job.execute_in_process(instance=instance, tags=_range_tags(first_ingested, d))
    assert result.success
    assert [e.passed for e in _check_evaluations(result)] == [True]
    materializations = result.asset_materializations_for_node("square__raw__orders")
    assert len(materializations) == 13
    assert materializations[0].metadata["rows"].value > 0

    # The sensor's first tick at T0 sets its cursor.
    tick = sensor.evaluate_tick(build_sensor_context(instance=instance, resources={"square": square}))
    cursor = tick.cursor
    assert cursor and not tick.run_requests
    positions = orjson.loads(cursor)["positions"]  # per entity and location
    assert max(dt.datetime.fromisoformat(v) for entity in positions.values() for v in entity.values()) <= t0

    # 2. Three days pass: offline registers upload, customers get refunds.
    t1 = handle.set_clock(dt.datetime.now(dt.UTC))
    history_start = dt.datetime.combine(d - dt.timedelta(days=45), dt.time(), tzinfo=dt.UTC)
    orders = handle.truth("orders", history_start, t1)
    changed = [o for o in orders if t0 < dt.datetime.fromisoformat(o["updated_at"]) <= t1]
    today = t1.astimezone(REPORTING).date()
    window = {today - dt.timedelta(days=i) for i in range(WINDOW_DAYS)}
    outside = [o for o in changed if _day(o["created_at"]) not in window]
    nine_days_late = [
        o
        for o in outside
        if dt.datetime.fromisoformat(o["updated_at"]) - dt.datetime.fromisoformat(o["created_at"])
        >= dt.timedelta(days=9)
    ]
    # A refund's own order_id is its return order, created at refund time; the sale it refunds is the order of the
    # refunded payment. Matching on the return order made this depend on the time of day the test ran.
    refunded_payments = {r["payment_id"] for r in handle.truth("refunds", t0, t1)}
    payments = handle.truth("payments", history_start, t1)
    refunded_sales = {p["order_id"] for p in payments if p["id"] in refunded_payments}
    refunded_old_orders = refunded_sales & {o["id"] for o in outside}
    assert nine_days_late, "the sandbox should upload some offline sales 9+ days late in this scenario"
    assert refunded_old_orders, "the sandbox should refund some orders from before the window"
    outside_days = sorted({_day(o["created_at"]) for o in outside})

    # 3. Before anyone reacts, the audit check fails on those days and the audit schedule asks for them.
    checked = audit_job.execute_in_process(
        instance=instance, tags=_range_tags(min(outside_days), max(outside_days)), raise_on_error=False
    )
    evaluation = _check_evaluations(checked)[0]
    assert not evaluation.passed
    assert evaluation.metadata["missing"].value + evaluation.metadata["stale"].value > 0
    audit_requests = audit_schedule.evaluate_tick(
        build_schedule_context(
            instance=instance, scheduled_execution_time=t1, resources={"lake": lake, "square": square}
        )
    ).run_requests
    requested_by_audit = _requested_days(audit_requests)
    assert {day.isoformat() for day in outside_days if day >= first_ingested} <= requested_by_audit

    # 4. The hourly schedule's one run re-pulls the window.
    [window_request] = window_schedule.evaluate_tick(
        build_schedule_context(instance=instance, scheduled_execution_time=t1)
    ).run_requests
    assert window_request.tags[PARTITION_RANGE_START_TAG] == min(window).isoformat()
    assert window_request.tags[PARTITION_RANGE_END_TAG] == today.isoformat()
    assert daily_job.execute_in_process(instance=instance, tags=window_request.tags).success

    # 5. The sensor's next tick asks for exactly the older days that changed; their runs bring the changes in.
    tick = sensor.evaluate_tick(
        build_sensor_context(instance=instance, cursor=cursor, resources={"square": square})
    )
    requested = set()
    for request in tick.run_requests:
        start, end = (
            request.tags[PARTITION_RANGE_START_TAG],
            request.tags[PARTITION_RANGE_END_TAG],
        )
        requested |= set(daily_partitions.get_partition_keys_in_range(_key_range(start, end)))
        run = daily_job.execute_in_process(instance=instance, tags=request.tags)
        assert run.success
        assert all(e.passed for e in _check_evaluations(run))
    assert {day.isoformat() for day in outside_days} <= requested
    assert not requested & {day.isoformat() for day in window}

    for order in changed:
        table = read_partition(lake, ORDERS.partition_path(_day(order["created_at"])))
        rows = [r for r in table.to_pylist() if r["id"] == order["id"]]
        assert len(rows) == 1, order["id"]
        assert rows[0]["version"] == order["version"]
        assert rows[0]["updated_at"] == dt.datetime.fromisoformat(order["updated_at"])
    # Payments of refunded old orders were re-pulled too (the refund updated them).
    for payment in payments:
        if payment["order_id"] in refunded_old_orders:
            table = read_partition(lake, PAYMENTS.partition_path(_day(payment["created_at"])))
            assert payment["id"] in table.column("id").to_pylist()

    # 6. Afterwards the audit check passes on every day pulled and the audit finds nothing to re-pull; the cursor
    # moved on. Audited range by range: a refund can reach a sale older than the twelve days ingested, and the days
    # between that one and the first ingested were never pulled (the audit rightly finds them missing).
    pulled_days = outside_days + [
        first_ingested + dt.timedelta(days=n) for n in range((today - first_ingested).days + 1)
    ]
    for first, last in contiguous_ranges(day.isoformat() for day in pulled_days):
        checked = audit_job.execute_in_process(instance=instance, tags=partition_range_tags(first, last))
        evaluations = _check_evaluations(checked)
        assert evaluations and all(e.passed for e in evaluations), (
            first,
            last,
            [e.description for e in evaluations],
        )
    audit_after = audit_schedule.evaluate_tick(
        build_schedule_context(
            instance=instance, scheduled_execution_time=t1, resources={"lake": lake, "square": square}
        )
    )
    # Only days never pulled at all remain for the audit to request (35 days back; twelve were ingested).
    audited = daily_partitions.get_partition_keys(current_time=t1)[-35:]
    pulled = {path.split("date=")[1][:10] for path in lake.find("raw/square/orders", suffix=".parquet")}
    assert _requested_days(audit_after.run_requests) == set(audited) - pulled
    # Nothing any run logged or recorded (logs, metadata, check results) holds the access token.
    for run in instance.get_runs():
        assert handle.token not in repr(instance.all_logs(run.run_id))
    again = sensor.evaluate_tick(
        build_sensor_context(instance=instance, cursor=tick.cursor, resources={"square": square})
    )
    assert not again.run_requests


def _key_range(start: str, end: str) -> PartitionKeyRange:
    return PartitionKeyRange(start, end)


def _requested_days(run_requests) -> set[str]:
    return {
        key
        for request in run_requests
        for key in daily_partitions.get_partition_keys_in_range(
            _key_range(request.tags[PARTITION_RANGE_START_TAG], request.tags[PARTITION_RANGE_END_TAG])
        )
    }
