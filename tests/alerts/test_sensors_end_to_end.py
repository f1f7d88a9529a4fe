"""End to end: a check failing in `square_sales` becomes alerts from the `data_platform` sensors, once.

The checks run from the square_sales code location in a real instance (temp DAGSTER_HOME); the platform sensors are then evaluated against that instance with ``build_sensor_context``.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from dagster import (
    AssetCheckResult,
    AssetCheckSpec,
    AssetKey,
    AssetSelection,
    AssetSpec,
    DagsterInstance,
    Definitions,
    build_sensor_context,
    define_asset_job,
    execute_job,
    multi_asset_check,
)
from dagster._core.definitions.freshness import FreshnessState, FreshnessStateChange
from dagster._core.definitions.reconstruct import ReconstructableRepository

from data_platform.alerts import (
    RESOURCE_KEY,
    build_alert_destinations,
    build_alert_sensors,
    event_log,
    load_alert_settings,
)
from data_platform.resources.lake import LakeResource
from square_sales.ingestion.layout import ORDERS, PAYMENTS, REFUNDS
from square_sales.quality import RAW_QUALITY_JOB
from tests.alerts.conftest import assert_no_secret
from tests.quality.rawdata import midday, order, payment, write_partition
from tests.support.definitions import forget_settings
from tests.support.processes import REPO_ROOT

DAY = dt.date(2026, 11, 18)
UI = "https://dagster.retail.example"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def lake_root(tmp_path_factory):
    # One lake for the module: Dagster caches the square_sales code location it loads, lake resource included.
    return tmp_path_factory.mktemp("lake")


@pytest.fixture
def platform(alert_environment, lake_root, tmp_path, monkeypatch):
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.setenv("LAKE_ROOT_URL", str(lake_root))
    lake = LakeResource(root_url=str(lake_root))
    lake.check()
    with DagsterInstance.get() as instance:
        # The same builders data_platform/definitions.py uses, from the same environment.
        sensors = {s.name: s for s in build_alert_sensors(UI, interval_seconds=30)}
        resources = {RESOURCE_KEY: build_alert_destinations(load_alert_settings())}
        yield instance, lake, sensors, resources
    forget_settings()  # later tests read their own environment


def land(lake: LakeResource, duplicates: bool) -> str:
    orders = [order("L1", midday(DAY)) for _ in range(6)]
    write_partition(lake, ORDERS, DAY, orders + ([orders[0], orders[1]] if duplicates else []))
    write_partition(lake, PAYMENTS, DAY, [payment("L1", midday(DAY)) for _ in range(6)])
    write_partition(lake, REFUNDS, DAY, [])
    return orders[0]["id"]


def run_square_checks(instance: DagsterInstance) -> None:
    """Run the day's checks from the square_sales code location, the way `dagster job execute -m` does, in process
    (a subprocess per step would reload the code location for every check)."""
    # Load the code location afresh from this test's environment (LAKE_ROOT_URL): other test modules may have
    # loaded it already with another lake, and a code location reads its settings once per process.
    forget_settings()
    repository = ReconstructableRepository.for_module("square_sales.definitions", "defs", str(REPO_ROOT))
    execute_job(
        repository.get_reconstructable_job(RAW_QUALITY_JOB),
        instance,
        run_config={"execution": {"config": {"in_process": {}}}},
        tags={"dagster/partition": DAY.isoformat()},
        raise_on_error=False,
    )


class Ticks:
    """Evaluate one sensor tick after another, carrying the cursor like the daemon does."""

    def __init__(self, sensor, instance, resources):
        self.sensor, self.instance, self.resources, self.cursor = sensor, instance, resources, None

    def __call__(self):
        context = build_sensor_context(instance=self.instance, cursor=self.cursor, resources=self.resources)
        result = self.sensor.evaluate_tick(context)
        self.cursor = result.cursor
        return result


def deliveries(http_receiver, mailbox):
    teams = [r.json()["attachments"][0]["content"]["body"] for r in http_receiver.received("/workflows/")]
    teams_text = [" ".join(b["text"] for b in body if b["type"] == "TextBlock") for body in teams]
    ntfy = [r.json() for r in http_receiver.requests if not r.path.startswith("/workflows/")]
    mails = [m for m in mailbox.messages if "oncall@" in m["To"]]
    return teams_text, ntfy, mails


def test_failing_check_alerts_once_then_recovers_and_the_failed_run_alerts(platform, http_receiver, mailbox):
    instance, lake, sensors, resources = platform
    check_ticks = Ticks(sensors["alert_on_failed_asset_checks"], instance, resources)
    run_ticks = Ticks(sensors["alert_on_run_failure"], instance, resources)
    run_ticks()  # a run-failure sensor starts watching from its first tick

    duplicated_id = land(lake, duplicates=True)
    run_square_checks(instance)
    check_ticks()
    teams, ntfy, mails = deliveries(http_receiver, mailbox)
    assert len(teams) == len(ntfy) == len(mails) == 1, (teams, ntfy)
    run = instance.get_runs(limit=1)[0]
    card = teams[0]
    assert card.startswith("[ERROR] Check failed: square/raw/orders · no_duplicate_ids")
    for expected in (
        "**Code location:** square_sales",
        f"**Partition:** {DAY}",
        "2 order id(s) appear more than once",
        "**duplicate_ids:** 2",
        duplicated_id,
        f"[Open in Dagster]({UI}/runs/{run.run_id})",
    ):
        assert expected in card
    assert (
        ntfy[0]["title"]
        == mails[0]["Subject"]
        == card.split(" - ")[0].split("\n")[0][: len(ntfy[0]["title"])]
    )
    assert http_receiver.requests[-1].headers.get("X-Priority", "high") == "high"

    # The blocking check failed its run: the run-failure sensor reports it too, naming the location and job.
    run_ticks()
    teams, ntfy, mails = deliveries(http_receiver, mailbox)
    assert [len(x) for x in (teams, ntfy, mails)] == [2, 2, 2]
    assert teams[1].startswith(f"[ERROR] Run failed: {RAW_QUALITY_JOB}")
    assert "**Code location:** square_sales" in teams[1] and "no_duplicate_ids" in teams[1]

    # Same data, checks run again: still failing, no second check alert (the run sensor is not ticked here).
    run_square_checks(instance)
    check_ticks()
    check_ticks()
    assert [len(x) for x in deliveries(http_receiver, mailbox)] == [2, 2, 2]

    # Fix the data: the next run passes and a single recovery notice goes out.
    land(lake, duplicates=False)
    run_square_checks(instance)
    check_ticks()
    check_ticks()
    teams, ntfy, mails = deliveries(http_receiver, mailbox)
    assert [len(x) for x in (teams, ntfy, mails)] == [3, 3, 3]
    assert teams[2].startswith("[RECOVERED] Check passes again: square/raw/orders · no_duplicate_ids")
    assert f"**Partition:** {DAY}" in teams[2]
    assert json.loads(check_ticks().cursor)["failing"] == {}

    assert_no_secret(*teams, *(json.dumps(n) for n in ntfy), *(m.as_string() for m in mailbox.messages))


def test_a_destination_down_is_logged_and_the_sensor_still_advances(platform, http_receiver, mailbox):
    instance, lake, sensors, resources = platform
    http_receiver.behaviour = {"/workflows/": "500", "/": "slow"}
    http_receiver.slow_seconds = 3
    land(lake, duplicates=True)
    run_square_checks(instance)
    ticks = Ticks(sensors["alert_on_failed_asset_checks"], instance, resources)
    result = ticks()
    assert "1 alert(s)" in result.skip_message
    assert len([m for m in mailbox.messages if "oncall@" in m["To"]]) == 1  # email still went out
    assert json.loads(result.cursor)["failing"]  # state advanced: no retry storm on the next tick
    ticks()
    assert len(http_receiver.received("/workflows/")) == 2  # 1 try + 1 retry, on the first tick only


def test_stale_asset_alerts_and_recovers(platform, http_receiver, mailbox):
    instance, _, sensors, resources = platform
    ticks = Ticks(sensors["alert_on_stale_assets"], instance, resources)
    key = AssetKey(["square", "raw", "orders"])
    now = dt.datetime.now(dt.UTC).timestamp()
    instance.report_runless_asset_event(
        FreshnessStateChange(
            key=key,
            new_state=FreshnessState.FAIL,
            previous_state=FreshnessState.PASS,
            state_change_timestamp=now,
        )
    )
    ticks()
    instance.report_runless_asset_event(
        FreshnessStateChange(
            key=key,
            new_state=FreshnessState.PASS,
            previous_state=FreshnessState.FAIL,
            state_change_timestamp=now,
        )
    )
    ticks()
    teams, ntfy, mails = deliveries(http_receiver, mailbox)
    assert [len(x) for x in (teams, ntfy, mails)] == [2, 2, 2]
    assert teams[0].startswith("[ERROR] Asset is stale: square/raw/orders")
    assert "PASS → FAIL" in teams[0] and f"{UI}/assets/square/raw/orders" in teams[0]
    assert teams[1].startswith("[RECOVERED] Asset is fresh again: square/raw/orders")


def test_a_burst_of_more_evaluations_than_a_tick_reads_does_not_stall_the_sensor(
    platform, http_receiver, mailbox, monkeypatch
):
    """A rebuild's dbt tests and gold checks report hundreds of evaluations within seconds: more than a tick reads,
    all inside the overlap the next tick re-reads. The sensor still moves past them to the failure after."""
    # Scaled down (SQLite here writes ~50 evaluations a second): a tick reads 40, the burst is 300 in ~6 s.
    monkeypatch.setattr(event_log, "MAX_EVENTS_PER_TICK", 40)
    instance, _, sensors, resources = platform
    specs = [AssetCheckSpec(f"check_{n}", asset="burst") for n in range(300)]

    @multi_asset_check(specs=specs)
    def burst_checks(context):
        failing = context.run.tags.get("failing")
        for spec in specs:
            yield AssetCheckResult(
                asset_key=spec.asset_key, check_name=spec.name, passed=spec.name != failing
            )

    defs = Definitions(assets=[AssetSpec("burst")], asset_checks=[burst_checks])
    job = define_asset_job("burst_job", selection=AssetSelection.checks(burst_checks))
    job = Definitions.merge(defs, Definitions(jobs=[job])).resolve_job_def("burst_job")
    ticks = Ticks(sensors["alert_on_failed_asset_checks"], instance, resources)
    assert job.execute_in_process(instance=instance).success
    assert job.execute_in_process(instance=instance, tags={"failing": "check_7"}).success
    for _ in range(40):  # 600 evaluations at 40 new ones a tick, and some to spare
        ticks()
    teams, _, _ = deliveries(http_receiver, mailbox)
    assert [card.split(" - ")[0].split("\n")[0] for card in teams] == [
        "[ERROR] Check failed: burst · check_7"
    ]
