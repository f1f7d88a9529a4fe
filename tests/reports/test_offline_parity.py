"""Offline uploads and later refunds, end to end through Dagster: the report marts equal Square's Reporting API;
time passes and offline registers upload, customers bring goods back; the parity check, run by its schedule, fails
for the store-days the platform has not pulled yet and the failure is alerted (through the data_platform alert
sensor to Teams, ntfy and email); the platform's own backfill-window schedule, late-change sensor and dbt
automation bring the changes in; the next scheduled parity run passes and the recovery is alerted.

The sandbox clock runs close to the real clock, because schedules, sensors and partitions judge "today" by it.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from dagster import (
    Definitions,
    PartitionKeyRange,
    build_schedule_context,
    build_sensor_context,
    evaluate_automation_conditions,
)

from data_platform.alerts import (
    RESOURCE_KEY,
    build_alert_destinations,
    build_alert_sensors,
    load_alert_settings,
)
from data_platform.alerts.event_log import MAX_EVENTS_PER_TICK
from data_platform.partition_ranges import partition_range_of
from data_platform.resources.lake import LakeResource
from square_sales.ingestion import ingestion_definitions
from square_sales.partitions import build_daily_partitions, contiguous_ranges, trailing_partition_keys
from square_sales.reports import reports_definitions
from square_sales.reports.checks import PARITY_JOB, PARITY_SCHEDULE
from square_sales.settings import load_square_sales_settings
from square_sales.transform import transform_definitions
from tests.reports.support import evaluations
from tests.support.sandbox import sandbox
from tests.transform.pipeline import Pipeline

pytestmark = pytest.mark.slow

SETTINGS = load_square_sales_settings({"BACKFILL_WINDOW_DAYS": "3", "AUDIT_DAYS": "10"})
PARTITIONS = build_daily_partitions(SETTINGS)
REPORTING = ZoneInfo(PARTITIONS.timezone)
UI = "https://dagster.retail.example"
SUMMARY = "daily_sales_by_location"


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    real_now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    t0 = real_now - dt.timedelta(days=3)
    with sandbox(
        locations=3,
        orders_per_day=20,
        seed=21,
        start_date=(t0 - dt.timedelta(days=12)).date(),
        now=t0,
        offline_share=0.15,
        refund_share=0.08,
    ) as handle:
        folder = tmp_path_factory.mktemp("offline_parity")
        pipeline = Pipeline(LakeResource(root_url=str(folder / "lake")), folder / "warehouse.duckdb", handle)
        pipeline.lake.check()
        defs = Definitions.merge(
            ingestion_definitions(SETTINGS, PARTITIONS),
            transform_definitions(PARTITIONS),
            reports_definitions(SETTINGS, PARTITIONS),
            Definitions(resources=pipeline.resources()),
        )
        yield handle, pipeline, defs, t0


class Platform:
    """The platform's automation for this test: its schedules, sensors and automation evaluated on one instance,
    the runs they ask for executed in process, the alert sensor ticked after each parity run."""

    def __init__(self, pipeline: Pipeline, defs: Definitions, alert_resources: dict):
        self.pipeline, self.defs, self.instance = pipeline, defs, pipeline.instance
        self.cursors: dict[str, str | None] = {}
        self.alert_sensor = next(
            s for s in build_alert_sensors(UI, 30) if s.name == "alert_on_failed_asset_checks"
        )
        self.alert_resources = alert_resources

    def scheduled_parity_run(self, when: dt.datetime):
        [request] = self._schedule(PARITY_SCHEDULE, when)
        result = self.defs.resolve_job_def(PARITY_JOB).execute_in_process(
            instance=self.instance, tags=request.tags, raise_on_error=False
        )
        assert result.success
        return evaluations(result)

    def sweep(self, when: dt.datetime) -> set[str]:
        """The backfill-window schedule and the late-change sensor re-pull, then the dbt automation brings the
        marts (and their gold tables) up to date; returns the raw days re-pulled."""
        requests = self._schedule("square_raw_backfill_window_schedule", when) + self.late_change_tick()
        daily_job = self.defs.resolve_job_def("square_raw_daily_job")
        pulled = set()
        for request in requests:
            assert daily_job.execute_in_process(instance=self.instance, tags=request.tags).success
            first, last = partition_range_of(request.tags)
            pulled |= set(PARTITIONS.get_partition_keys_in_range(PartitionKeyRange(first, last)))
        for first, last in contiguous_ranges(self.automation_requests()):
            self.pipeline.build(dt.date.fromisoformat(first), dt.date.fromisoformat(last))
        return pulled

    def late_change_tick(self) -> list:
        sensor = self.defs.resolve_sensor_def("square_raw_late_change_sensor")
        with build_sensor_context(
            instance=self.instance, cursor=self.cursors.get("late"), resources=self.pipeline.resources()
        ) as context:
            result = sensor.evaluate_tick(context)
        self.cursors["late"] = result.cursor
        return list(result.run_requests or [])

    def automation_requests(self) -> set[str]:
        """The daily partitions the dbt automation asks for now (as the square_dbt_automation sensor would)."""
        result = evaluate_automation_conditions(
            defs=self.defs, instance=self.instance, cursor=self.cursors.get("automation")
        )
        self.cursors["automation"] = result.cursor
        return {
            key
            for evaluation in result.results
            if evaluation.key.path == ["marts", SUMMARY] and evaluation.true_subset.size
            for key in evaluation.true_subset.expensively_compute_partition_keys()
        }

    def alert_ticks(self) -> None:
        """Tick the alert sensor until it has read every new event, as the daemon does every 30 s: a tick reads
        at most MAX_EVENTS_PER_TICK, and a rebuild's dbt tests and gold checks are more than that."""
        for _ in range(20):
            with build_sensor_context(
                instance=self.instance, cursor=self.cursors.get("alerts"), resources=self.alert_resources
            ) as context:
                result = self.alert_sensor.evaluate_tick(context)
            self.cursors["alerts"] = result.cursor
            read = int(result.skip_message.split(" check evaluation(s) read")[0])
            if read < MAX_EVENTS_PER_TICK:
                return
        raise AssertionError("the alert sensor kept finding new events")

    def _schedule(self, name: str, when: dt.datetime) -> list:
        # Closed after the tick (see tests/timeline/platform.py tick_window).
        with build_schedule_context(instance=self.instance, scheduled_execution_time=when) as context:
            return list(self.defs.resolve_schedule_def(name).evaluate_tick(context).run_requests or [])


def _store_day(order: dict, timezones: dict[str, str]) -> tuple[str, dt.date]:
    created = dt.datetime.fromisoformat(order["created_at"])
    return order["location_id"], created.astimezone(ZoneInfo(timezones[order["location_id"]])).date()


def _raw_day(order: dict) -> str:
    return dt.datetime.fromisoformat(order["created_at"]).astimezone(REPORTING).date().isoformat()


def _alert_texts(http_receiver) -> list[str]:
    cards = [r.json()["attachments"][0]["content"]["body"] for r in http_receiver.received("/workflows/")]
    return [" ".join(block["text"] for block in body if block["type"] == "TextBlock") for body in cards]


def test_parity_fails_while_late_uploads_are_not_pulled_and_passes_after_the_sweep(
    scenario, alert_environment, http_receiver, mailbox
):
    handle, pipeline, defs, t0 = scenario
    platform = Platform(pipeline, defs, {RESOURCE_KEY: build_alert_destinations(load_alert_settings())})

    # 1. Everything up to T0's day is pulled and built; the sensor and the automation take their starting points.
    d0 = t0.astimezone(REPORTING).date()
    pipeline.pull(d0 - dt.timedelta(days=12), d0)
    pipeline.build(d0 - dt.timedelta(days=12), d0)
    assert platform.late_change_tick() == []
    platform.automation_requests()
    history_start = dt.datetime.combine(d0 - dt.timedelta(days=13), dt.time(), tzinfo=dt.UTC)
    visible_at_t0 = {o["id"] for o in handle.truth("orders", history_start, t0)}

    # At T0 the marts equal Square's reports; the alert sensor has nothing to say.
    found = platform.scheduled_parity_run(t0)
    assert len(found) == 8 and all(e.passed for e in found.values()), {
        m: e.description for m, e in found.items() if not e.passed
    }
    platform.alert_ticks()
    assert http_receiver.requests == []

    # 2. Three days pass: offline registers upload sales rung up before T0, customers bring goods back.
    t1 = handle.set_clock(dt.datetime.now(dt.UTC).replace(microsecond=0))
    audited_from = dt.date.fromisoformat(trailing_partition_keys(PARTITIONS, t1, SETTINGS.audit_days)[0])
    timezones = dict(pipeline.query("select location_id, timezone from marts.dim_locations"))
    late = [
        order
        for order in handle.truth("orders", history_start, t0)
        if order["id"] not in visible_at_t0
        and order["state"] == "COMPLETED"
        and audited_from <= _store_day(order, timezones)[1] < d0
    ]
    assert late, "the sandbox should upload sales of the audited days before T0's after T0"

    # 3. The scheduled parity run fails for those store-days, naming the raw partitions to re-pull.
    found = platform.scheduled_parity_run(t1)
    summary = found[SUMMARY]
    assert not summary.passed
    differing = summary.metadata["differing_store_days"].value
    for location_id, day in {_store_day(order, timezones) for order in late}:
        assert f"| {location_id} | {day} | " in differing, (location_id, day)
    assert {_raw_day(order) for order in late} <= set(
        summary.metadata["raw_partitions_to_repull"].value.split(", ")
    )
    failing = sorted(model for model, evaluation in found.items() if not evaluation.passed)

    # ... and the alert sensor sends one alert per failing check to every destination.
    platform.alert_ticks()
    texts = _alert_texts(http_receiver)
    assert len(texts) == len(failing)
    summary_card = next(t for t in texts if f"marts/{SUMMARY} · matches_square_reporting_api" in t)
    assert summary_card.startswith(f"[ERROR] Check failed: marts/{SUMMARY} · matches_square_reporting_api")
    assert "raw_partitions_to_repull" in summary_card
    assert len([m for m in mailbox.messages if "oncall@" in m["To"]]) == len(failing)

    # 4. The platform's own schedule, sensor and automation re-pull and rebuild; the next parity run passes.
    assert {_raw_day(order) for order in late} <= platform.sweep(t1)
    found = platform.scheduled_parity_run(t1)
    assert all(e.passed for e in found.values()), {
        m: e.metadata["differences"].value for m, e in found.items() if not e.passed
    }
    platform.alert_ticks()
    recoveries = [t for t in _alert_texts(http_receiver) if t.startswith("[RECOVERED] Check passes again")]
    assert len(recoveries) == len(failing)
