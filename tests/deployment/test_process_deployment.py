"""The deployed topology, run as processes: PostgreSQL storage, one gRPC code server per location, daemon, webserver.

One scenario, in the order an operator meets it: the stack comes up from docker/dagster.yaml and
docker/workspace.yaml; a partition run and a partition-range backfill are launched over GraphQL (as the UI
does) against the Square sandbox; runs and events land in PostgreSQL and the Parquet lands in the lake; one code
location is redeployed (stopped and started) while the other keeps running work; everything stops cleanly.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pyarrow.parquet as pq
import pytest
import yaml
from dagster import DagsterEventType

from tests.deployment.stack import DOCKER_DIR, deployed_stack
from tests.support.postgres import find_server_binaries, postgres_server
from tests.support.processes import REPO_ROOT
from tests.support.sandbox import sandbox

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.timeout(480)]

ORDERS = ["square", "raw", "orders"]
ORDERS_KEY_IN_STORAGE = '["square", "raw", "orders"]'  # AssetKey.to_string(), the event_logs.asset_key column
DOMAIN = "square_sales"
REDEPLOYED = "data_platform"
TIMEZONE = "America/New_York"
# The run tag docker/dagster.yaml limits to one run at a time (DuckDB has a single writer).
WRITER_TAG = {"platform/duckdb-writer": "deployment-test"}


@pytest.fixture(scope="module")
def postgres():
    if find_server_binaries() is None:
        pytest.skip("PostgreSQL server binaries not found (./platform.sh test installs the Debian package)")
    with postgres_server() as server:
        yield server


def materialized_partitions(postgres, run_ids: list[str]) -> set[str]:
    rows = postgres.query(
        "SELECT partition FROM event_logs WHERE dagster_event_type = 'ASSET_MATERIALIZATION' "
        "AND asset_key = %s AND run_id = ANY(%s)",
        ORDERS_KEY_IN_STORAGE,
        run_ids,
    )
    return {partition for (partition,) in rows}


def run_status_in_postgres(postgres, run_id: str) -> str:
    rows = postgres.query("SELECT status FROM runs WHERE run_id = %s", run_id)
    assert rows, f"run {run_id} is not in PostgreSQL"
    return rows[0][0]


def event_time(postgres, run_id: str, event_type: DagsterEventType):
    rows = postgres.query(
        "SELECT timestamp FROM event_logs WHERE run_id = %s AND dagster_event_type = %s",
        run_id,
        event_type.value,
    )
    assert len(rows) == 1, f"expected one {event_type.value} event for run {run_id}, found {len(rows)}"
    return rows[0][0]


def lake_order_ids(lake_root, day: str) -> set[str]:
    path = lake_root / "raw" / "square" / "orders" / f"date={day}" / "part-000.parquet"
    assert path.exists(), f"no Parquet for partition {day} at {path}"
    return set(pq.read_table(path, columns=["id"]).column("id").to_pylist())


def truth_order_ids(square, day: str) -> set[str]:
    start = datetime.fromisoformat(day).replace(tzinfo=ZoneInfo(TIMEZONE))
    end = start + timedelta(days=1)
    orders = square.truth("orders", start.astimezone(UTC), end.astimezone(UTC))
    return {order["id"] for order in orders}


def test_deployed_stack_runs_partitions_backfills_and_survives_a_redeploy(postgres, tmp_path):
    today = datetime.now(ZoneInfo(TIMEZONE)).date()
    start = today - timedelta(days=6)
    writer_day = (today - timedelta(days=5)).isoformat()
    single_day = (today - timedelta(days=4)).isoformat()
    backfill_days = [(today - timedelta(days=n)).isoformat() for n in (3, 2)]
    redeploy_day = (today - timedelta(days=1)).isoformat()
    lake_root = tmp_path / "lake"

    with sandbox(locations=2, orders_per_day=20, seed=7, start_date=start, offline_share=0.0) as square:
        app_env = {
            "PLATFORM_ENV": "dev",
            "LAKE_ROOT_URL": str(lake_root),
            "DUCKDB_PATH": str(tmp_path / "warehouse.duckdb"),
            "SQUARE_ENVIRONMENT": "local",
            "SQUARE_BASE_URL": square.base_url,
            "SQUARE_ACCESS_TOKEN": square.token,
            "SQUARE_PARTITIONS_START_DATE": start.isoformat(),
            "REPORTING_TIMEZONE": TIMEZONE,
        }
        with deployed_stack(postgres, tmp_path / "deploy", app_env, pause_automation=True) as stack:
            # deploy/pause_automation.py stopped every schedule and sensor before the daemon started (as after
            # a staging deploy), so the only runs are the ones this test launches.
            automation = stack.instigator_statuses()
            assert automation, "expected schedules and sensors in the workspace"
            assert set(automation.values()) == {"STOPPED"}, automation
            stack.wait_for_healthy_daemon()

            # The webserver runs the instance docker/dagster.yaml describes (queue limits and pools included).
            instance = stack.graphql(
                "{ instance { runQueuingSupported runLauncher { name }"
                " runQueueConfig { maxConcurrentRuns tagConcurrencyLimitsYaml }"
                " poolConfig { poolGranularity defaultPoolLimit } } }"
            )["instance"]
            deployed = yaml.safe_load((DOCKER_DIR / "dagster.yaml").read_text())["concurrency"]
            assert instance["runQueuingSupported"] is True
            assert instance["runQueueConfig"]["maxConcurrentRuns"] == deployed["runs"]["max_concurrent_runs"]
            assert (
                yaml.safe_load(instance["runQueueConfig"]["tagConcurrencyLimitsYaml"])
                == (deployed["runs"]["tag_concurrency_limits"])
            )
            assert instance["poolConfig"] == {
                "poolGranularity": deployed["pools"]["granularity"],
                "defaultPoolLimit": deployed["pools"]["default_limit"],
            }

            # 1. A partition-range backfill (the daemon picks it up on its next tick) and, meanwhile, single
            #    partitions launched like the UI's "Materialize" button. Two of them carry the DuckDB-writer tag:
            #    the queue must run them one after the other.
            backfill_id = stack.launch_backfill(ORDERS, backfill_days)
            run_id = stack.launch_partition_run(DOMAIN, ORDERS, single_day, WRITER_TAG)
            other_writer = stack.launch_partition_run(DOMAIN, ORDERS, writer_day, WRITER_TAG)
            assert stack.wait_for_run(run_id) == "SUCCESS"
            assert run_status_in_postgres(postgres, run_id) == "SUCCESS"
            assert materialized_partitions(postgres, [run_id]) == {single_day}
            assert lake_order_ids(lake_root, single_day) == truth_order_ids(square, single_day)

            # 2. Redeploy one code location: while it is down, the other location, the daemon (finishing the
            #    backfill) and the instance keep working.
            assert stack.stop_code_server(REDEPLOYED) in (0, -signal.SIGTERM)
            assert stack.reload_location(REDEPLOYED).startswith("ERROR")
            assert stack.location_statuses()[DOMAIN] == "LOADED"
            run_during_redeploy = stack.launch_partition_run(DOMAIN, ORDERS, redeploy_day)

            status, backfill_runs = stack.wait_for_backfill(backfill_id)
            assert status == "COMPLETED_SUCCESS"
            # Single-run backfill policy: the whole range in ONE run.
            assert len(backfill_runs) == 1, f"expected one run for the range, got {backfill_runs}"
            assert run_status_in_postgres(postgres, backfill_runs[0]) == "SUCCESS"
            tags = dict(postgres.query("SELECT key, value FROM run_tags WHERE run_id = %s", backfill_runs[0]))
            assert tags["dagster/backfill"] == backfill_id
            range_tags = ("dagster/asset_partition_range_start", "dagster/asset_partition_range_end")
            assert (tags[range_tags[0]], tags[range_tags[1]]) == (backfill_days[0], backfill_days[-1])
            assert materialized_partitions(postgres, backfill_runs) == set(backfill_days)
            for day in backfill_days:
                assert lake_order_ids(lake_root, day) == truth_order_ids(square, day)
            event_types = {
                event_type
                for (event_type,) in postgres.query(
                    "SELECT DISTINCT dagster_event_type FROM event_logs WHERE run_id = %s", backfill_runs[0]
                )
            }
            expected = {
                DagsterEventType.RUN_START,
                DagsterEventType.STEP_SUCCESS,
                DagsterEventType.RUN_SUCCESS,
            }
            assert {event.value for event in expected} <= event_types

            assert stack.wait_for_run(other_writer) == "SUCCESS"
            assert materialized_partitions(postgres, [other_writer]) == {writer_day}
            # The queue launched the second writer only after the first had finished.
            first, second = sorted(
                [run_id, other_writer],
                key=lambda run: event_time(postgres, run, DagsterEventType.RUN_STARTING),
            )
            assert event_time(postgres, second, DagsterEventType.RUN_STARTING) >= event_time(
                postgres, first, DagsterEventType.RUN_SUCCESS
            ), "two DuckDB-writer runs were in progress at the same time"

            assert stack.wait_for_run(run_during_redeploy) == "SUCCESS"
            assert materialized_partitions(postgres, [run_during_redeploy]) == {redeploy_day}
            assert all(stack.daemon_statuses().values()), stack.daemon_statuses()

            # 3. The redeployed location comes back on its port and the webserver picks it up.
            stack.start_code_server(REDEPLOYED)
            stack.wait_until_loaded([REDEPLOYED])
            assert set(stack.location_statuses().values()) == {"LOADED"}
            # The run history, served from PostgreSQL, survived the redeploy: exactly our runs, all successful.
            runs = stack.graphql("{ runsOrError { ... on Runs { results { runId status } } } }")
            statuses = {run["runId"]: run["status"] for run in runs["runsOrError"]["results"]}
            ours = [run_id, other_writer, *backfill_runs, run_during_redeploy]
            assert statuses == dict.fromkeys(ours, "SUCCESS")

            # Automation is resumed per location, as an engineer does on staging for what they test.
            resume = [
                sys.executable,
                str(REPO_ROOT / "deploy" / "pause_automation.py"),
                "--url",
                stack.webserver_url,
            ]
            subprocess.run([*resume, "--resume", "--location", REDEPLOYED], check=True, capture_output=True)
            automation = stack.instigator_statuses()
            assert any(name.startswith(f"{REDEPLOYED}/") for name in automation)
            for name, state in automation.items():
                assert state == ("RUNNING" if name.startswith(f"{REDEPLOYED}/") else "STOPPED"), (name, state)

        # 4. Everything stopped on SIGTERM (no SIGKILL needed) and let go of its database connections.
        stopped = {**stack.processes, **{name: s.process for name, s in stack.code_servers.items()}}
        not_clean = {name: p.returncode for name, p in stopped.items() if p.returncode == -signal.SIGKILL}
        assert not not_clean, f"had to be killed: {not_clean}"
        assert postgres.query(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            postgres.database,
        ) == [(0,)]
