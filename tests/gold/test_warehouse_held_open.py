"""An analyst holds the live DuckDB file open (what the gold layer is there to avoid): a run that needs it waits a
bounded time, then fails with a message naming the file and the process holding it; once the file is free the
next run succeeds, and nothing was lost in between."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time

import pytest
from dagster import AssetSelection

from tests.transform.pipeline import (
    MART_TABLES,
    failure,
    range_tags,
    square_dbt_daily_models,
    square_gold_daily_tables,
)

DAY = dt.date(2026, 10, 5)
# An analyst's session: DuckDB opened on the file, a query run, the session left open.
ANALYST = (
    "import duckdb, sys, time\n"
    "connection = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == 'read-only')\n"
    "connection.execute('select count(*) from marts.daily_sales_by_location').fetchall()\n"
    "print('open', flush=True)\n"
    "time.sleep(float(sys.argv[3]))\n"
)


def analyst_holding(path, mode: str, seconds: float) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-c", ANALYST, str(path), mode, str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout.readline().strip() == "open"
    return process


def close(analyst: subprocess.Popen) -> None:
    analyst.kill()
    analyst.wait(30)


def marts(pipeline) -> dict[str, list]:
    return {table: pipeline.table(table) for table in MART_TABLES}


@pytest.mark.parametrize(
    ("mode", "step"),
    [("read-only", square_dbt_daily_models), ("read-write", square_gold_daily_tables)],
    ids=["dbt-while-read-only-session", "gold-publish-while-read-write-session"],
)
def test_a_run_fails_naming_the_file_and_its_holder_and_the_next_run_succeeds(built, tmp_path, mode, step):
    pipeline = built.copy_to(tmp_path / "copy")
    pipeline.lock_wait_seconds = 2
    before = marts(pipeline)
    analyst = analyst_holding(pipeline.database_path, mode, 600)
    try:
        started = time.monotonic()
        result = pipeline.run(AssetSelection.assets(step), tags=range_tags(DAY, DAY))
        waited = time.monotonic() - started
    finally:
        close(analyst)
    assert not result.success
    message = failure(result)
    assert "WarehouseBusy" in message
    assert f"The warehouse {pipeline.database_path} is held open by" in message
    assert f"(PID {analyst.pid}" in message
    assert "gold tables" in message, "the message should say where analysts read instead"
    assert waited >= 2, "the run should have waited before failing"

    assert marts(pipeline) == before, "the failed run must not have changed anything"
    again = pipeline.run(AssetSelection.assets(step), tags=range_tags(DAY, DAY))
    assert again.success, failure(again)
    assert marts(pipeline) == before, "the next run rebuilds the same marts from the same lake"


def test_a_run_waits_for_a_session_that_closes_in_time(built, tmp_path):
    pipeline = built.copy_to(tmp_path / "copy")
    pipeline.lock_wait_seconds = 120
    analyst = analyst_holding(pipeline.database_path, "read-only", 3)
    try:
        started = time.monotonic()
        result = pipeline.run(AssetSelection.assets(square_dbt_daily_models), tags=range_tags(DAY, DAY))
        assert result.success, failure(result)
        assert time.monotonic() - started >= 2, "the run should have waited for the session to end"
    finally:
        close(analyst)
