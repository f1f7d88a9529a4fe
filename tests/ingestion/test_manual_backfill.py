"""A register was offline for days: a manual range backfill from the command line fills the gap in one run."""

from __future__ import annotations

import datetime as dt
import os
import subprocess

from dagster import DagsterInstance

from data_platform.resources.lake import LakeResource
from square_sales.ingestion.layout import ORDERS, PAYMENTS
from square_sales.ingestion.pull import pull_day
from tests.ingestion.support import day_bounds, fast_api, read_partition
from tests.support.cli import DAILY_RAW_ASSETS, dg_launch
from tests.support.processes import REPO_ROOT

TIMEZONE = "America/New_York"  # the default REPORTING_TIMEZONE the CLI run uses
BEFORE, AFTER = dt.date(2026, 11, 8), dt.date(2026, 11, 14)
GAP = [dt.date(2026, 11, 9) + dt.timedelta(days=i) for i in range(5)]


def test_cli_partition_range_fills_a_gap_in_one_run(tmp_path, healthy_sandbox):
    lake = LakeResource(root_url=str(tmp_path / "lake"))
    with fast_api(healthy_sandbox) as api:
        location_ids = [location["id"] for location in api.list_locations()]
        for day in (BEFORE, AFTER):
            pull_day(api, lake, ORDERS, day, TIMEZONE, location_ids, run_id="earlier")
    untouched = {day: lake.read_bytes(ORDERS.partition_path(day)) for day in (BEFORE, AFTER)}

    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SQUARE_", "BACKFILL_", "REPORTING_"))},
        "DAGSTER_HOME": str(home),
        "PLATFORM_ENV": "dev",
        "LAKE_ROOT_URL": str(tmp_path / "lake"),
        "SQUARE_BASE_URL": healthy_sandbox.base_url,
        "SQUARE_ACCESS_TOKEN": healthy_sandbox.token,
        "PYTHONPATH": str(REPO_ROOT),
    }
    result = subprocess.run(
        # One process for the whole run (as the README shows): no process start per step.
        dg_launch(DAILY_RAW_ASSETS, partition_range=f"{GAP[0]}...{GAP[-1]}"),
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert healthy_sandbox.token not in result.stdout + result.stderr
    assert "Warning" not in result.stderr, "the command the README shows runs without warnings"

    for day in GAP:
        start, end = day_bounds(day, TIMEZONE)
        for entity in (ORDERS, PAYMENTS):
            ids = read_partition(lake, entity.partition_path(day)).column("id").to_pylist()
            assert sorted(ids) == sorted(row["id"] for row in healthy_sandbox.truth(entity.name, start, end))
    for day, content in untouched.items():
        assert lake.read_bytes(ORDERS.partition_path(day)) == content

    os.environ["DAGSTER_HOME"], previous = str(home), os.environ.get("DAGSTER_HOME")
    try:
        with DagsterInstance.get() as instance:
            runs = instance.get_runs()
            assert len(runs) == 1
            assert runs[0].tags["dagster/asset_partition_range_start"] == GAP[0].isoformat()
            metadata = [
                e.asset_materialization.metadata
                for e in instance.all_logs(runs[0].run_id)
                if e.is_dagster_event and e.dagster_event.event_type_value == "ASSET_MATERIALIZATION"
            ]
    finally:
        if previous is None:
            del os.environ["DAGSTER_HOME"]
        else:
            os.environ["DAGSTER_HOME"] = previous
    # One materialization per partition and asset, with readable figures, and no secret anywhere in them.
    assert len(metadata) == len(GAP) * 3
    assert {"rows", "locations", "pages", "late_uploads_seen", "bytes_written", "duration_seconds"} <= set(
        metadata[0]
    )
    assert healthy_sandbox.token not in repr(metadata)
