"""``kill -9`` in the middle of the work, as an OOM kill or a node failure does it:

- a multi-day pull (the README's command line, on the local lake and on Azurite) leaves no partial partition, the
  earlier versions intact, and leftovers that the next run removes; that run equals the sandbox again;
- the warehouse rebuild killed while dbt runs: dbt does not go on holding the DuckDB lock, the run does not stay
  STARTED (every writer run would queue behind it), and the warehouse opens and rebuilds.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import duckdb
import psutil
import pyarrow.parquet as pq
import pytest
from dagster import DagsterInstance, DagsterRunStatus

from data_platform.resources.lake import LakeResource
from square_sales.ingestion.layout import DAILY_ENTITIES
from square_sales.ingestion.pull import pull_day
from tests.ingestion.support import day_bounds, fast_api
from tests.support.cli import DAILY_RAW_ASSETS, dg_launch
from tests.support.processes import REPO_ROOT

pytestmark = pytest.mark.slow

TIMEZONE = "America/New_York"  # the default REPORTING_TIMEZONE the command line runs with
DAYS = [dt.date(2026, 11, 9) + dt.timedelta(days=i) for i in range(4)]


def _wait_for(condition, timeout: float, what: str, process: subprocess.Popen | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the process ended ({process.returncode}) before {what}")
        time.sleep(0.1)
    raise AssertionError(f"not within {timeout:.0f}s: {what}")


def _dagster_home(folder: Path) -> Path:
    home = folder / "dagster_home"
    home.mkdir()
    shutil.copy(REPO_ROOT / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    return home


# -- a multi-day pull ----------------------------------------------------------------------------------------


def _lake_for(kind: str, tmp_path: Path, request) -> tuple[LakeResource, dict[str, str]]:
    if kind == "local":
        root = str(tmp_path / "lake")
        return LakeResource(root_url=root), {"LAKE_ROOT_URL": root}
    server = request.getfixturevalue("azurite_server")
    root = f"abfs://killed-{uuid.uuid4().hex[:8]}/platform"
    env = {
        "LAKE_ROOT_URL": root,
        "AZURE_STORAGE_AUTH": "connection_string",
        "AZURE_STORAGE_CONNECTION_STRING": server.connection_string,
    }
    return LakeResource(root_url=root, connection_string=server.connection_string), env


def _leftovers(lake: LakeResource, pid: int) -> list[str]:
    """What a killed writer can leave: hidden temp files (local), its staging folder and uncommitted blobs (Azure)."""
    if lake.is_local:
        return [str(p) for p in Path(lake.path("raw")).rglob(".*.tmp-*")]
    staging = [str(p) for p in Path(tempfile.gettempdir()).glob(f"lake-stage-{pid}-*")]
    return staging + _uncommitted_blobs(lake)


def _uncommitted_blobs(lake: LakeResource) -> list[str]:
    from azure.storage.blob import ContainerClient

    container = ContainerClient.from_connection_string(lake.connection_string, lake.path().split("/")[0])
    committed = {b.name for b in container.list_blobs()}
    return [b.name for b in container.list_blobs(include=["uncommittedblobs"]) if b.name not in committed]


def _partitions(lake: LakeResource) -> dict[str, bytes]:
    return {path: lake.read_bytes(path) for path in lake.find("raw/square", suffix=".parquet")}


def _truth_ids(sandbox, entity, day) -> set[str]:
    return {row["id"] for row in sandbox.truth(entity.name, *day_bounds(day, TIMEZONE))}


def _assert_equals_the_sandbox(lake: LakeResource, sandbox, path: str, content: bytes) -> None:
    entity = next(e for e in DAILY_ENTITIES if path.startswith(e.folder))
    day = dt.date.fromisoformat(path.split("date=")[1][:10])
    ids = pq.read_table(io.BytesIO(content)).column("id").to_pylist()
    assert sorted(ids) == sorted(_truth_ids(sandbox, entity, day)), path


def _launch_pull(env: dict[str, str]) -> subprocess.Popen:
    """The README's command for a range of raw days, one run in one process."""
    return subprocess.Popen(
        dg_launch(DAILY_RAW_ASSETS, partition_range=f"{DAYS[0]}...{DAYS[-1]}"),
        env=env,
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


@pytest.mark.parametrize("kind", ["local", pytest.param("azurite", marks=pytest.mark.azurite)])
def test_a_killed_multi_day_pull_leaves_no_partial_partition_and_the_next_run_cleans_up(
    kind, fault_sandbox, tmp_path, request
):
    lake, lake_env = _lake_for(kind, tmp_path, request)
    lake.check()
    fault_sandbox.set_faults()
    with fast_api(fault_sandbox) as api:
        location_ids = api.location_ids()
        for day in DAYS[:2]:
            for entity in DAILY_ENTITIES:
                pull_day(api, lake, entity, day, TIMEZONE, location_ids, run_id="earlier")
    earlier = _partitions(lake)

    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("SQUARE_", "LAKE_", "AZURE_", "REPORTING_"))
        },
        **lake_env,
        "PLATFORM_ENV": "dev",
        "DAGSTER_HOME": str(_dagster_home(tmp_path)),
        "SQUARE_BASE_URL": fault_sandbox.base_url,
        "SQUARE_ACCESS_TOKEN": fault_sandbox.token,
        "PYTHONPATH": str(REPO_ROOT),
    }
    fault_sandbox.set_faults(slow=1.0, slow_seconds=0.3)  # every page takes a while: there is time to kill
    try:
        process = _launch_pull(env)
        _wait_for(lambda: _leftovers(lake, process.pid), 120, "a partition being written", process)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)
    finally:
        fault_sandbox.set_faults()
    assert _leftovers(lake, process.pid), "the kill should have left the partition being written behind"

    after_kill = _partitions(lake)
    assert set(earlier) <= set(after_kill)
    for path, content in after_kill.items():
        # Each file is the earlier version or a complete new one: never a partial partition.
        if content != earlier.get(path):
            _assert_equals_the_sandbox(lake, fault_sandbox, path, content)

    rerun = _launch_pull(env)
    _, stderr = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, stderr.decode()[-3000:]
    assert _leftovers(lake, process.pid) == []
    final = _partitions(lake)
    assert len(final) == len(DAYS) * len(DAILY_ENTITIES)
    for path, content in final.items():
        _assert_equals_the_sandbox(lake, fault_sandbox, path, content)


# -- the warehouse rebuild, killed while dbt runs ------------------------------------------------------------


@pytest.fixture(scope="module")
def pulled_lake(tmp_path_factory):
    """Three raw days and the snapshots of a small chain, pulled through the real assets."""
    from tests.support.sandbox import sandbox
    from tests.transform.pipeline import Pipeline

    folder = tmp_path_factory.mktemp("rebuild")
    with sandbox(
        locations=2,
        orders_per_day=30,
        seed=3,
        start_date=dt.date(2026, 10, 1),
        now=dt.datetime(2026, 10, 4, 12, tzinfo=dt.UTC),
    ) as handle:
        pipeline = Pipeline(LakeResource(root_url=str(folder / "lake")), folder / "unused.duckdb", handle)
        pipeline.lake.check()
        pipeline.pull(dt.date(2026, 10, 1), dt.date(2026, 10, 3))
    return pipeline.lake


def _rebuild(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "square_sales.transform.rebuild_warehouse"],
        env=env,
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _dbt_holding(process: subprocess.Popen, database: Path) -> psutil.Process | None:
    """The dbt child of ``process`` once it has the warehouse open."""
    for child in psutil.Process(process.pid).children(recursive=True):
        try:
            if "dbt" in " ".join(child.cmdline()) and any(
                f.path == str(database) for f in child.open_files()
            ):
                return child
        except psutil.NoSuchProcess:
            continue
    return None


def test_a_rebuild_killed_during_dbt_frees_the_warehouse_and_fails_its_run(pulled_lake, tmp_path):
    home = _dagster_home(tmp_path)
    database = tmp_path / "warehouse.duckdb"
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("SQUARE_", "LAKE_", "DUCKDB_", "REPORTING_"))
        },
        "PLATFORM_ENV": "dev",
        "DAGSTER_HOME": str(home),
        "LAKE_ROOT_URL": pulled_lake.root_url,
        "DUCKDB_PATH": str(database),
        "SQUARE_PARTITIONS_START_DATE": "2026-10-01",
        "PYTHONPATH": str(REPO_ROOT),
    }
    process = _rebuild(env)
    dbt = _wait_for(lambda: _dbt_holding(process, database), 240, "dbt holding the warehouse", process)
    process.kill()  # the rebuild's own process only: its dbt child is left running, as after an OOM kill
    process.wait(10)

    # The watchdog stops dbt, so the DuckDB writer lock is free again, and marks the run failed.
    _wait_for(lambda: not dbt.is_running() or dbt.status() == psutil.STATUS_ZOMBIE, 20, "dbt stopped")
    with DagsterInstance.from_config(str(home)) as instance:
        [run] = instance.get_runs()
        _wait_for(
            lambda: instance.get_run_by_id(run.run_id).status == DagsterRunStatus.FAILURE,
            20,
            "the run failed",
        )
    duckdb.connect(str(database)).close()  # opens for writing: nobody holds the lock

    again = _rebuild(env)
    output, _ = again.communicate(timeout=600)
    assert again.returncode == 0, output.decode()[-3000:]
    with duckdb.connect(str(database), read_only=True) as connection:
        days = connection.execute(
            "select count(distinct business_date) from marts.daily_sales_by_location"
        ).fetchone()
    assert days[0] >= 3


def test_the_local_instance_monitors_runs(tmp_path):
    """The daemon of the local instance fails runs stuck starting or canceling, and any run past 6 hours."""
    with DagsterInstance.from_config(str(_dagster_home(tmp_path))) as instance:
        assert instance.run_monitoring_enabled
        assert 0 < instance.run_monitoring_start_timeout_seconds <= 300
        assert 0 < instance.run_monitoring_max_runtime_seconds <= 6 * 3600
