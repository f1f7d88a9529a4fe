"""Readers never block the pipeline and the pipeline never blocks readers: while new days are published, an
independent process reads a gold table again and again with `deltalake` alone. Every read succeeds and sees
one complete version (exactly what that version holds when read back later), never a mix. On the local lake and
on Azure Blob storage (Azurite)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from deltalake import DeltaTable

from data_platform.resources.lake import LakeResource
from tests.conftest import azurite_lake
from tests.gold.delta_reader import fingerprint
from tests.support.azurite import ACCOUNT, ACCOUNT_KEY
from tests.transform.conftest import FIRST_DAY, LAST_DAY
from tests.transform.pipeline import Pipeline

READER = Path(__file__).with_name("delta_reader.py")
TABLE = "daily_sales_by_location"
MIDDLE = dt.date(2026, 10, 5)  # published first; each later day is published while the reader reads


def warehouse_with_days_held_back(built: Pipeline, lake: LakeResource, folder: Path) -> Pipeline:
    """A copy of the built warehouse whose sales mart lacks the days after MIDDLE (kept aside), publishing to
    ``lake``: each day put back and published is a new day reaching the gold table."""
    folder.mkdir(parents=True)
    shutil.copy(built.database_path, folder / "warehouse.duckdb")
    pipeline = Pipeline(lake, folder / "warehouse.duckdb")
    with duckdb.connect(str(pipeline.database_path)) as connection:
        connection.execute(f"create table marts.held_back as select * from marts.{TABLE} where business_date > ?",
                           [MIDDLE])  # fmt: skip
        connection.execute(f"delete from marts.{TABLE} where business_date > ?", [MIDDLE])
    return pipeline


def publish_day_by_day_while_reading(pipeline: Pipeline, uri: str, options: dict, folder: Path) -> list[dict]:
    pipeline.publish_gold(FIRST_DAY, MIDDLE)
    stop, output = folder / "stop", folder / "reads.jsonl"
    reader = subprocess.Popen([sys.executable, str(READER), uri, json.dumps(options), str(stop), str(output)])
    try:
        day = MIDDLE
        while day < LAST_DAY:
            day += dt.timedelta(days=1)
            with duckdb.connect(str(pipeline.database_path)) as connection:
                connection.execute(f"insert into marts.{TABLE} select * from marts.held_back where business_date = ?",
                                   [day])  # fmt: skip
            pipeline.publish_gold(day, day)  # the new day, and the days around it replaced
    finally:
        stop.touch()
        reader.wait(60)
    return [json.loads(line) for line in output.read_text().splitlines()]


def assert_every_read_saw_one_whole_version(reads: list[dict], uri: str, options: dict) -> None:
    errors = [read["error"] for read in reads if "error" in read]
    assert not errors, errors[:3]
    seen = {read["version"] for read in reads}
    assert len(seen) >= 3, f"the reads should span several publishes, saw versions {sorted(seen)}"
    versions = {version: DeltaTable(uri, version=version, storage_options=options) for version in seen}
    expected = {version: fingerprint(table.to_pyarrow_table()) for version, table in versions.items()}
    mixed = [read for read in reads if read["fingerprint"] != expected[read["version"]]]
    assert not mixed, f"{len(mixed)} of {len(reads)} reads differ from the version they saw"
    latest = DeltaTable(uri, storage_options=options)
    assert max(seen) == latest.version()
    days = {row["business_date"] for row in latest.to_pyarrow_table().to_pylist()}
    assert max(days) > MIDDLE, "the days published during the reads should be in the latest version"


def test_local_readers_always_see_a_whole_version_while_days_are_published(built, tmp_path):
    lake = LakeResource(root_url=str(tmp_path / "lake"))
    pipeline = warehouse_with_days_held_back(built, lake, tmp_path / "warehouse")
    uri = lake.path(f"gold/{TABLE}")
    reads = publish_day_by_day_while_reading(pipeline, uri, {}, tmp_path)
    assert_every_read_saw_one_whole_version(reads, uri, {})


@pytest.mark.azurite
def test_readers_on_azure_always_see_a_whole_version_while_days_are_published(
    built, azurite_server, monkeypatch, tmp_path
):
    lake = azurite_lake(azurite_server, monkeypatch)
    pipeline = warehouse_with_days_held_back(built, lake, tmp_path / "warehouse")
    # What an analyst passes to deltalake to read from Azurite: the account, its key and the emulator's endpoint.
    options = {
        "account_name": ACCOUNT,
        "account_key": ACCOUNT_KEY,
        "azure_storage_endpoint": azurite_server.blob_endpoint,
        "allow_http": "true",
    }
    uri = f"az://{lake.path(f'gold/{TABLE}')}"
    reads = publish_day_by_day_while_reading(pipeline, uri, options, tmp_path)
    assert_every_read_saw_one_whole_version(reads, uri, options)
