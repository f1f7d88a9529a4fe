"""Publishing marts from the warehouse to their Delta tables on the lake (run time only: loads pyarrow, delta-rs).

A run of the daily gold tables for partitions S..E publishes the business days its dbt run rebuilt, S-1..E+1
(``partition_window.py``; from S-1 to the mart's last day for a mart that restates later days), in one
replace-where commit per table: re-running is idempotent and a late upload's day
is corrected in place. A table published for the first time, a reference table and a full refresh take the
whole mart. Rows stream from DuckDB to delta-rs in Arrow batches, so memory does not grow with the mart's size.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import duckdb
import pyarrow as pa
from dagster import (
    AssetCheckResult,
    AssetExecutionContext,
    MaterializeResult,
    MetadataValue,
    TableColumn,
    TableSchema,
)

from data_platform.resources.delta_tables import (
    DeltaCommit,
    DeltaLocation,
    delete_rows,
    delta_location,
    open_table,
    replace_rows,
    row_count,
    vacuum,
)
from data_platform.resources.warehouse import WarehouseResource
from square_sales.gold.check import compare_with_mart
from square_sales.gold.tables import BUSINESS_DATE, BusinessDays, GoldTable
from square_sales.transform.partition_window import dbt_window_for_partitions

BATCH_ROWS = 100_000
# Business days per commit when a daily table is published whole (see _publish_whole_daily).
WHOLE_PUBLISH_CHUNK_DAYS = 31


class GoldPublishError(RuntimeError):
    """A mart cannot be published as it is; the message names the mart and what is wrong."""


def run_business_days(context: AssetExecutionContext) -> BusinessDays:
    """The business days a daily run rebuilt: its partitions widened as the dbt run widens them."""
    window = context.partition_time_window
    dbt_window = dbt_window_for_partitions(window.start, window.end)
    return BusinessDays(dbt_window.business_date_start, dbt_window.business_date_end)


def publish_gold_tables(
    context: AssetExecutionContext, warehouse: WarehouseResource, tables: list[GoldTable], full_refresh: bool
) -> Iterator[MaterializeResult | AssetCheckResult]:
    # Only the daily tables are partitioned (a reference table may run in a partition-range run, unpartitioned).
    partitioned = context.assets_def.partitions_def is not None
    days = run_business_days(context) if partitioned and not full_refresh else None
    with warehouse.get_connection(read_only=True) as connection:
        # DuckDB hands timestamps with time zone to Arrow in the session zone; Delta stores them in UTC.
        connection.sql("set TimeZone = 'UTC'")
        for table in tables:
            started = time.monotonic()
            location = delta_location(warehouse.lake, table.lake_path, name=table.key.to_user_string())
            published_days, commit = publish_table(connection, location, table, days, full_refresh)
            check = compare_with_mart(connection, location, commit.version, table, published_days)
            removed = vacuum(location)
            context.log.info(
                f"{table.relation} -> {location.url}: version {commit.version}, {commit.rows_written} rows "
                f"for {published_days or 'every day'} in {time.monotonic() - started:.1f}s"
            )
            yield MaterializeResult(
                asset_key=table.key, metadata=_metadata(location, commit, published_days, removed)
            )
            yield check


def publish_table(
    connection: duckdb.DuckDBPyConnection,
    location: DeltaLocation,
    table: GoldTable,
    days: BusinessDays | None,
    full_refresh: bool,
) -> tuple[BusinessDays | None, DeltaCommit]:
    """Publish the mart's rows of ``days`` in one commit, or the whole mart when ``days`` is None or the table
    does not exist yet; returns the days published (None: all) and the (last) commit."""
    _require_partition_column(connection, table)
    if days is not None and open_table(location) is None:
        days = None  # first publish: the whole mart, not only this run's days
    if days is None and table.daily:
        return None, _publish_whole_daily(connection, location, table, full_refresh)
    if days is not None and table.restates_later_days:
        days = _through_last_day(connection, table, days)
    commit = replace_rows(
        location,
        mart_rows(connection, table, days),
        partition_by=[BUSINESS_DATE] if table.daily else None,
        replace_where=days.predicate() if days else None,
        replace_schema=full_refresh,
    )
    return days, commit


def _through_last_day(
    connection: duckdb.DuckDBPyConnection, table: GoldTable, days: BusinessDays
) -> BusinessDays:
    """The run's days extended to the mart's last day: the dbt run rebuilt them all."""
    span = _mart_days(connection, table)
    return BusinessDays(days.first, max(days.last, span.last)) if span is not None else days


def _publish_whole_daily(
    connection: duckdb.DuckDBPyConnection, location: DeltaLocation, table: GoldTable, replace_schema: bool
) -> DeltaCommit:
    """A whole daily table, a month of business days per commit, then the days the mart no longer has removed.

    delta-rs keeps a writer open for every partition a commit writes until the commit, so one commit over a year
    of days would hold a year of data in memory. Each commit replaces whole days, so every version a reader sees
    holds complete days (each as published by this run or by the previous one)."""
    span = _mart_days(connection, table)
    if span is None:  # an empty mart: an empty table
        return replace_rows(
            location,
            mart_rows(connection, table, None),
            partition_by=[BUSINESS_DATE],
            replace_schema=replace_schema,
        )
    commits = [
        replace_rows(
            location,
            mart_rows(connection, table, chunk),
            partition_by=[BUSINESS_DATE],
            replace_where=chunk.predicate(),
            replace_schema=replace_schema and index == 0,
        )
        for index, chunk in enumerate(span.chunks(WHOLE_PUBLISH_CHUNK_DAYS))
    ]
    last = delete_rows(location, f"NOT ({span.predicate()})") or commits[-1].version
    return DeltaCommit(
        version=last,
        rows_written=sum(commit.rows_written for commit in commits),
        columns_added=commits[0].columns_added,
    )


def _mart_days(connection: duckdb.DuckDBPyConnection, table: GoldTable) -> BusinessDays | None:
    [(first, last)] = connection.execute(
        f"select min({BUSINESS_DATE}), max({BUSINESS_DATE}) from {table.relation}"
    ).fetchall()
    return BusinessDays(first, last) if first is not None else None


def mart_rows(
    connection: duckdb.DuckDBPyConnection, table: GoldTable, days: BusinessDays | None
) -> pa.RecordBatchReader:
    """The mart's rows (of ``days``), streamed in Arrow batches."""
    if days is None:
        return connection.sql(f"select * from {table.relation}").to_arrow_reader(BATCH_ROWS)
    return connection.sql(
        f"select * from {table.relation} where {BUSINESS_DATE} between $first and $last",
        params={"first": days.first, "last": days.last},
    ).to_arrow_reader(BATCH_ROWS)


def _require_partition_column(connection: duckdb.DuckDBPyConnection, table: GoldTable) -> None:
    if not table.daily:
        return
    columns = {row[0] for row in connection.execute(f"describe {table.relation}").fetchall()}
    if BUSINESS_DATE not in columns:
        raise GoldPublishError(
            f"The daily mart {table.relation} has no {BUSINESS_DATE} column: a mart under models/marts/daily/ "
            f"is published partitioned and replaced by {BUSINESS_DATE}, so it must have one."
        )


def _metadata(
    location: DeltaLocation, commit: DeltaCommit, days: BusinessDays | None, removed: int
) -> dict[str, object]:
    table = open_table(location, commit.version)
    assert table is not None  # just written
    columns = [TableColumn(name=f.name, type=str(f.type)) for f in table.schema().fields]
    metadata: dict[str, object] = {
        "dagster/row_count": MetadataValue.int(row_count(table)),
        "dagster/uri": MetadataValue.text(location.url),
        "dagster/column_schema": MetadataValue.table_schema(TableSchema(columns=columns)),
        "delta_version": MetadataValue.int(commit.version),
        "table_url": MetadataValue.text(location.url),
        "rows_written": MetadataValue.int(commit.rows_written),
        "business_days_replaced": MetadataValue.text(str(days) if days else "all (whole table)"),
        "old_files_removed": MetadataValue.int(removed),
    }
    if commit.columns_added:
        metadata["columns_added"] = MetadataValue.text(", ".join(commit.columns_added))
    return metadata
