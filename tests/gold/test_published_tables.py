"""Every mart is published as a Delta table on the lake that any Delta reader opens: the same rows as the mart,
the same column types, daily marts partitioned by business day, the sandbox's ground truth in the numbers, and
the rows, version and URL in the asset's metadata."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from dagster import AssetCheckKey, AssetKey
from deltalake import DeltaTable

from data_platform.resources.delta_tables import delta_location, replace_rows
from data_platform.resources.lake import LakeResource
from square_sales.gold import publish
from square_sales.gold.tables import MATCHES_MART_CHECK
from tests.gold.support import GOLD_TABLES, local_gold_table, mart_table, rows
from tests.transform.conftest import FIRST_DAY, LAST_DAY
from tests.transform.test_marts_match_sandbox import MEASURES, differences, ground_truth

# Every model under models/marts is a mart, and every mart added later is published too: read the folder, not a
# list kept by hand (the platform's own list comes from the dbt manifest).
MARTS_FOLDER = Path(__file__).parents[2] / "dbt_project" / "models" / "marts"
MARTS = {path.stem for path in MARTS_FOLDER.rglob("*.sql")}
REFERENCE_MARTS = {path.stem for path in (MARTS_FOLDER / "reference").glob("*.sql")}
# Square opens a dispute 10-45 days after the sale: the package's nine-day chain has none yet (the store-and-money
# tests cover disputes on a longer chain). Its table is still published, empty, with the mart's columns.
EMPTY_IN_A_NINE_DAY_CHAIN = {"fct_disputes"}


def test_the_gold_layer_is_every_mart():
    assert {table.name for table in GOLD_TABLES} == MARTS
    assert {table.name for table in GOLD_TABLES if not table.daily} == REFERENCE_MARTS
    assert {"fct_orders", "daily_sales_by_location", "dim_locations"} <= MARTS  # the folder was read


@pytest.mark.parametrize("table", GOLD_TABLES, ids=lambda table: table.name)
def test_each_published_table_holds_its_marts_rows(built, table):
    published = local_gold_table(built, table.name).to_pyarrow_table()
    mart = mart_table(built, table.relation)
    assert mart.num_rows > 0 or table.name in EMPTY_IN_A_NINE_DAY_CHAIN
    assert set(published.column_names) == set(mart.column_names)
    assert rows(published) == rows(mart)


def test_daily_tables_are_partitioned_by_business_date_and_reference_tables_are_not(built):
    for table in GOLD_TABLES:
        partitions = local_gold_table(built, table.name).metadata().partition_columns
        assert partitions == (["business_date"] if table.daily else []), table.name


def test_column_types_are_kept(built):
    orders = local_gold_table(built, "fct_orders").schema().to_arrow()
    sales = local_gold_table(built, "daily_sales_by_location").schema().to_arrow()
    types = {field.name: pa.field(field).type for field in (*orders, *sales)}
    assert types["total_amount"] == pa.int64()  # money: integer minor units
    assert types["net_sales"] == pa.int64()
    assert types["business_date"] == pa.date32()
    assert types["created_at"] == pa.timestamp("us", tz="UTC")  # a timestamp with zone


def test_published_daily_sales_equal_the_sandbox_ground_truth(built, chain):
    published = local_gold_table(built, "daily_sales_by_location").to_pyarrow_table()
    days = {
        (row["location_id"], row["business_date"]): {measure: row[measure] for measure in MEASURES}
        for row in published.to_pylist()
        if FIRST_DAY <= row["business_date"] <= LAST_DAY
    }
    assert differences(ground_truth(chain, FIRST_DAY, LAST_DAY), days) == []


def test_materializations_carry_rows_version_and_url_and_the_check_passed(built):
    for table in GOLD_TABLES:
        key = AssetKey(["gold", table.name])
        event = built.instance.get_latest_materialization_event(key)
        assert event is not None, f"{table.name} was never published"
        metadata = event.asset_materialization.metadata
        delta = local_gold_table(built, table.name)
        assert metadata["delta_version"].value == delta.version()
        assert metadata["dagster/row_count"].value == delta.to_pyarrow_table().num_rows
        assert metadata["table_url"].value == f"{built.lake.path()}/gold/{table.name}"
        check = AssetCheckKey(key, MATCHES_MART_CHECK)
        record = built.instance.event_log_storage.get_latest_asset_check_execution_by_key([check])[check]
        assert record.event.asset_check_evaluation.passed, table.name


def test_a_late_day_is_replaced_in_place_and_other_days_are_untouched(built, tmp_path):
    """Publishing one partition again replaces exactly its business days (the day before and after included, as
    its dbt run rebuilt them) in one commit; every other day keeps its files; re-running changes nothing."""
    pipeline = built.copy_to(tmp_path / "copy")
    day, far_day = dt.date(2026, 10, 5), dt.date(2026, 10, 2)
    marker = -777
    with __import__("duckdb").connect(str(pipeline.database_path)) as connection:
        # What a late upload does to the mart's window days, and a stale value on a far day nobody republishes.
        connection.execute(f"update marts.daily_sales_by_location set tips = {marker} where business_date in (?, ?)",
                           [day, far_day])  # fmt: skip
    before = local_gold_table(pipeline, "daily_sales_by_location")
    files_before = files_by_day(before)

    pipeline.publish_gold(day, day)
    after = local_gold_table(pipeline, "daily_sales_by_location")
    assert after.version() == before.version() + 1, "one commit"
    published = {
        (r["location_id"], r["business_date"]): r["tips"] for r in after.to_pyarrow_table().to_pylist()
    }
    assert all(tips == marker for (_, when), tips in published.items() if when == day)
    assert all(tips != marker for (_, when), tips in published.items() if when == far_day)
    files_after = files_by_day(after)
    window = {day - dt.timedelta(days=1), day, day + dt.timedelta(days=1)}
    for when in files_before:
        assert (files_after.get(when) == files_before[when]) is (when not in window), when

    pipeline.publish_gold(day, day)  # idempotent
    again = local_gold_table(pipeline, "daily_sales_by_location")
    assert rows(again.to_pyarrow_table()) == rows(after.to_pyarrow_table())


def files_by_day(table) -> dict[dt.date, set[str]]:
    actions = pa.table(table.get_add_actions(flatten=True)).to_pylist()
    found: dict[dt.date, set[str]] = {}
    for action in actions:
        found.setdefault(action["partition.business_date"], set()).add(action["path"])
    return found


def test_a_whole_daily_publish_commits_whole_days_chunk_by_chunk_and_drops_days_the_mart_lost(
    built, tmp_path, monkeypatch
):
    """A first publish (or a rebuild) of a long history commits a span of days at a time, so delta-rs never holds
    the whole history; the result is the mart exactly, including removing days the mart no longer has."""
    table = next(table for table in GOLD_TABLES if table.name == "daily_sales_by_location")
    location = delta_location(LakeResource(root_url=str(tmp_path)), table.lake_path, name=table.name)
    monkeypatch.setattr(publish, "WHOLE_PUBLISH_CHUNK_DAYS", 2)
    with duckdb.connect(str(built.database_path), read_only=True) as connection:
        connection.sql("set TimeZone = 'UTC'")
        stale_day = connection.sql(
            f"select * replace (date '2000-01-01' as business_date) from {table.relation} limit 1"
        ).to_arrow_table()
        replace_rows(location, stale_day.to_reader(), partition_by=["business_date"])
        [(first, last)] = connection.sql(
            f"select min(business_date), max(business_date) from {table.relation}"
        ).fetchall()
        days, commit = publish.publish_table(connection, location, table, None, full_refresh=False)

    assert days is None
    chunks = -(-((last - first).days + 1) // 2)
    assert commit.version == 1 + chunks  # version 0: the stale day; one commit per chunk; one delete
    published = DeltaTable(str(tmp_path / "gold" / table.name)).to_pyarrow_table()
    assert rows(published) == rows(mart_table(built, table.relation))
