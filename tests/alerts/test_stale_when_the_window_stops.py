"""When the backfill-window schedule stops running, the raw assets' freshness policies turn WARN then FAIL and
data_platform's ``alert_on_stale_assets`` says so; once the schedule runs again, the assets are fresh again and a
recovery notice goes out (issue 15, item 5).

A real instance (DAGSTER_HOME with freshness enabled, as dagster_home/dagster.yaml), the square_sales code location
loaded from its environment, the Square sandbox. The window schedule ticks on the sandbox's clock and its runs pull.
Dagster's freshness evaluation is the daemon's own loop, run in-process with Dagster's clock moved forward: no
public API moves that clock or runs one freshness iteration, so this test uses Dagster's test utilities for both.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest
from dagster import AssetKey, DagsterInstance, build_schedule_context
from dagster._core.remote_origin import InProcessCodeLocationOrigin
from dagster._core.test_utils import freeze_time
from dagster._core.types.loadable_target_origin import LoadableTargetOrigin
from dagster._core.workspace.context import WorkspaceProcessContext
from dagster._core.workspace.load_target import InProcessWorkspaceLoadTarget
from dagster._daemon.freshness import FreshnessDaemon

from data_platform.alerts import (
    RESOURCE_KEY,
    build_alert_destinations,
    build_alert_sensors,
    load_alert_settings,
)
from square_sales.ingestion.schedules import SNAPSHOT_CRON
from square_sales.quality.freshness_policies import freshness_policy
from tests.alerts.test_sensors_end_to_end import UI, Ticks, deliveries
from tests.support.definitions import forget_settings, load_location
from tests.support.processes import REPO_ROOT
from tests.support.sandbox import sandbox

pytestmark = pytest.mark.slow

WINDOW_CRON = "0 * * * *"
RAW_ORDERS = AssetKey(["square", "raw", "orders"])
SALES = AssetKey(["marts", "daily_sales_by_location"])
DIM = AssetKey(["marts", "dim_locations"])
SANDBOX_NOW = dt.datetime(2026, 11, 20, 17, tzinfo=dt.UTC)


@pytest.fixture
def instance(alert_environment, tmp_path, monkeypatch):
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\nfreshness:\n  enabled: true\n")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.setenv("LAKE_ROOT_URL", str(tmp_path / "lake"))
    monkeypatch.setenv("BACKFILL_SCHEDULE_CRON", WINDOW_CRON)
    with sandbox(
        locations=2, orders_per_day=5, seed=3, start_date=dt.date(2026, 11, 10), now=SANDBOX_NOW
    ) as square:
        monkeypatch.setenv("SQUARE_BASE_URL", square.base_url)
        monkeypatch.setenv("SQUARE_ACCESS_TOKEN", square.token)
        forget_settings()  # the location reads this test's environment
        with DagsterInstance.get() as dagster_instance:
            yield dagster_instance
    forget_settings()


def evaluate_freshness(instance: DagsterInstance, at: float) -> None:
    """One iteration of the daemon's freshness loop over the square_sales location, at time ``at``."""
    origin = InProcessCodeLocationOrigin(
        LoadableTargetOrigin(
            module_name="square_sales.definitions", attribute="defs", working_directory=str(REPO_ROOT)
        ),
        location_name="square_sales",
    )
    with (
        WorkspaceProcessContext(instance, InProcessWorkspaceLoadTarget(origin)) as workspace,
        freeze_time(at),
    ):
        for _ in FreshnessDaemon().run_iteration(workspace):
            pass


def test_the_raw_assets_turn_stale_when_the_window_stops_and_fresh_when_it_runs_again(
    instance, http_receiver, mailbox
):
    defs = load_location("square_sales")
    graph = defs.resolve_asset_graph()
    # Every asset declares the policy of the schedule that refreshes it.
    assert graph.get(RAW_ORDERS).freshness_policy == freshness_policy(WINDOW_CRON)
    assert graph.get(SALES).freshness_policy == freshness_policy(WINDOW_CRON)
    assert graph.get(DIM).freshness_policy == freshness_policy(SNAPSHOT_CRON)
    policy = graph.get(RAW_ORDERS).freshness_policy
    warn, fail = (
        policy.warn_window.to_timedelta().total_seconds(),
        policy.fail_window.to_timedelta().total_seconds(),
    )

    window = defs.resolve_schedule_def("square_raw_backfill_window_schedule")
    daily_job = defs.resolve_job_def("square_raw_daily_job")
    sensors = {s.name: s for s in build_alert_sensors(UI, interval_seconds=30)}
    ticks = Ticks(
        sensors["alert_on_stale_assets"],
        instance,
        {RESOURCE_KEY: build_alert_destinations(load_alert_settings())},
    )

    def tick_window() -> None:
        with build_schedule_context(instance=instance, scheduled_execution_time=SANDBOX_NOW) as context:
            [request] = window.evaluate_tick(context).run_requests
        assert daily_job.execute_in_process(instance=instance, tags=request.tags).success

    tick_window()
    pulled = time.time()
    evaluate_freshness(instance, pulled + 60)
    ticks()
    assert deliveries(http_receiver, mailbox)[0] == []  # fresh: nothing to say

    # The schedule stops. An interval and a quarter later the raw assets warn; two intervals later they fail.
    evaluate_freshness(instance, pulled + warn + 60)
    ticks()
    evaluate_freshness(instance, pulled + fail + 60)
    ticks()
    teams = deliveries(http_receiver, mailbox)[0]
    stale = [t for t in teams if "square/raw/orders" in t.split("\n")[0]]
    assert [t.split(":")[0] for t in stale] == ["[WARN] Asset is stale", "[ERROR] Asset is stale"], teams
    assert "WARN → FAIL" in stale[1]

    # It runs again (later still, on Dagster's clock): fresh again, and said once.
    resumed = pulled + fail + 120
    with freeze_time(resumed):
        tick_window()
    evaluate_freshness(instance, resumed + 60)
    ticks()
    teams = deliveries(http_receiver, mailbox)[0]
    assert any(t.startswith("[RECOVERED] Asset is fresh again: square/raw/orders") for t in teams), teams
