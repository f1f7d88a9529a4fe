"""Bad input and faults while publishing: a publish failing half-way leaves the previous version readable and
complete; a new mart column evolves the table, a dropped or retyped one fails naming the table and the column
(a full refresh then replaces the schema); a lake that goes down in the middle of a publish gives one clear error,
and the next run completes."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys

import pyarrow as pa
import pytest
from dagster import AssetKey, AssetSelection
from deltalake import DeltaTable

from data_platform.resources.delta_tables import DeltaTableError, delta_location, replace_rows
from data_platform.resources.lake import LakeResource
from tests.gold.proxy import LakeProxy
from tests.gold.support import local_gold_table, rows
from tests.support.azurite import ACCOUNT, ACCOUNT_KEY
from tests.transform.pipeline import Pipeline, failure, range_tags, square_gold_daily_tables

DAY = dt.date(2026, 10, 5)
SALES = "daily_sales_by_location"


def day_rows(days: list[dt.date], amount: int) -> pa.Table:
    return pa.table(
        {
            "business_date": pa.array([day for day in days for _ in range(2)], pa.date32()),
            "location_id": pa.array(["L1", "L2"] * len(days)),
            "net_sales": pa.array([amount] * 2 * len(days), pa.int64()),
        }
    )


def failing_halfway(table: pa.Table) -> pa.RecordBatchReader:
    """A stream that yields half of ``table`` and then breaks, like a source dying in the middle of a publish."""

    def batches():
        yield from table.slice(0, table.num_rows // 2).to_batches()
        raise OSError("the source went away half-way")

    return pa.RecordBatchReader.from_batches(table.schema, batches())


def test_a_publish_failing_half_way_leaves_the_previous_version_whole(lake: LakeResource):
    location = delta_location(lake, "gold/example", name="gold/example")
    days = [dt.date(2026, 10, 1) + dt.timedelta(days=n) for n in range(4)]
    replace_rows(
        location, pa.RecordBatchReader.from_stream(day_rows(days, 100)), partition_by=["business_date"]
    )
    before = DeltaTable(location.uri, storage_options=dict(location.storage_options))

    with pytest.raises(DeltaTableError, match=r"Delta table gold/example .*could not write"):
        replace_rows(
            location,
            failing_halfway(day_rows(days[1:3], 999)),
            partition_by=["business_date"],
            replace_where="business_date >= '2026-10-02' AND business_date <= '2026-10-03'",
        )
    after = DeltaTable(location.uri, storage_options=dict(location.storage_options))
    assert after.version() == before.version()
    assert rows(after.to_pyarrow_table()) == rows(
        day_rows(days, 100).select(after.to_pyarrow_table().column_names)
    )


def alter_mart(pipeline: Pipeline, statement: str) -> None:
    """Change the mart from another process, as an engineer's migration would. (In this process, DuckDB 2.0's
    instance cache was seen spinning forever when the publish reopened the file after the ALTER.)"""
    script = (
        "import duckdb, sys; connection = duckdb.connect(sys.argv[1]); connection.execute(sys.argv[2]); "
        "connection.execute('checkpoint'); connection.close()"
    )
    subprocess.run(
        [sys.executable, "-c", script, str(pipeline.database_path), f"alter table marts.{SALES} {statement}"],
        check=True,
        timeout=120,
    )


def test_a_new_mart_column_evolves_the_table(built, tmp_path):
    pipeline = built.copy_to(tmp_path / "copy")
    alter_mart(pipeline, "add column promo_amount bigint default 7")
    pipeline.publish_gold(DAY, DAY)
    published = local_gold_table(pipeline, SALES).to_pyarrow_table().to_pylist()
    window = {DAY - dt.timedelta(days=1), DAY, DAY + dt.timedelta(days=1)}
    assert {row["promo_amount"] for row in published if row["business_date"] in window} == {7}
    assert {row["promo_amount"] for row in published if row["business_date"] not in window} == {None}
    event = pipeline.instance.get_latest_materialization_event(AssetKey(["gold", SALES]))
    assert event.asset_materialization.metadata["columns_added"].value == "promo_amount"


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ("drop column tips", r"the new rows lack column 'tips'"),
        ("alter column tips type double", r"column 'tips' changed type from long to double"),
    ],
    ids=["dropped", "retyped"],
)
def test_a_dropped_or_retyped_column_fails_naming_table_and_column(built, tmp_path, statement, expected):
    pipeline = built.copy_to(tmp_path / "copy")
    alter_mart(pipeline, statement)
    before = local_gold_table(pipeline, SALES).version()
    result = pipeline.run(AssetSelection.assets(square_gold_daily_tables), tags=range_tags(DAY, DAY))
    assert not result.success
    assert f"Delta table gold/{SALES}: " in failure(result)
    assert re.search(expected, failure(result))
    assert local_gold_table(pipeline, SALES).version() == before, "nothing was committed"
    # Not run here: the full refresh that follows. In this process, the next run's duckdb.connect spun forever
    # inside DuckDB 2.0's instance cache (DBInstanceCache::GetInstanceInternal, seen with gdb) after the failed
    # publish; a run is its own process in deployment. Open: find what keeps the failed run's database alive.


@pytest.mark.azurite
def test_a_lake_going_down_mid_publish_gives_one_clear_error_and_the_next_run_completes(
    built, azurite_server, monkeypatch, tmp_path
):
    proxy = LakeProxy(azurite_server.port)
    try:
        connection_string = azurite_server.connection_string.replace(
            f"127.0.0.1:{azurite_server.port}", f"127.0.0.1:{proxy.port}"
        )
        monkeypatch.setenv("AZURE_STORAGE_CONNECTION_STRING", connection_string)
        lake = LakeResource(
            root_url="abfs://lake-unreachable/platform",
            auth="connection_string",
            connection_string=connection_string,
        )
        lake.check()
        pipeline = built.copy_to(tmp_path / "copy")
        pipeline.lake = lake  # gold on Azure (through the proxy), the warehouse as built
        pipeline.publish_gold(DAY, DAY)
        location = delta_location(lake, f"gold/{SALES}", name=SALES)
        table_before = DeltaTable(location.uri, storage_options=dict(location.storage_options))
        version, content = table_before.version(), rows(table_before.to_pyarrow_table())

        # The lake goes away when the first table's new version is about to be committed (its files are written).
        proxy.cut_when(rb"PUT [^ ]*/gold/[a-z_]+/_delta_log/\d+\.json")
        result = pipeline.run(AssetSelection.assets(square_gold_daily_tables), tags=range_tags(DAY, DAY))
        assert not result.success
        message = failure(result)
        assert "could not write" in message and "Delta table gold/" in message
        assert ACCOUNT_KEY not in message
        assert ".cargo/registry" not in message, "one line, not delta-rs' native backtrace"

        proxy.restore()
        table = DeltaTable(location.uri, storage_options=dict(location.storage_options))
        assert table.version() == version and rows(table.to_pyarrow_table()) == content, (
            "previous version intact"
        )
        pipeline.publish_gold(DAY, DAY)
        assert (
            DeltaTable(location.uri, storage_options=dict(location.storage_options)).version() == version + 1
        )
    finally:
        proxy.close()


def test_the_emulator_account_is_reached_through_the_emulator_option(azurite_server):
    lake = LakeResource(
        root_url="abfs://any/platform",
        auth="connection_string",
        connection_string=azurite_server.connection_string,
    )
    location = delta_location(lake, "gold/x", name="gold/x")
    assert location.storage_options["use_emulator"] == "true"
    assert location.storage_options["account_name"] == ACCOUNT
    assert location.url == f"{azurite_server.blob_endpoint}/any/platform/gold/x"
    assert ACCOUNT_KEY not in repr(location)
