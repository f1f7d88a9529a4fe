"""Read raw Parquet partitions from the lake with DuckDB (local folder or ADLS, through the lake resource)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from datetime import date

import duckdb

from data_platform.resources.lake import LakeResource
from square_sales.ingestion.layout import RawEntity


@contextlib.contextmanager
def raw_days(
    lake: LakeResource, entity: RawEntity, days: Iterable[date]
) -> Iterator[tuple[duckdb.DuckDBPyConnection, list[date]]]:
    """A DuckDB connection with a view ``raw`` over the days' files that exist (plus a ``date`` column), and the
    list of days found. With no file at all the view is empty but has the right columns."""
    found = [day for day in sorted(set(days)) if lake.exists(entity.partition_path(day))]
    con = duckdb.connect()
    try:
        lake.register_with_duckdb(con)
        if found:
            urls = ", ".join(f"'{lake.url(entity.partition_path(day))}'" for day in found)
            con.execute(
                f"CREATE VIEW raw AS SELECT * FROM read_parquet([{urls}], hive_partitioning = true, "
                "hive_types = {'date': DATE}, union_by_name = true)"
            )
        else:
            _empty_raw_view(con, entity)
        yield con, found
    finally:
        con.close()


@contextlib.contextmanager
def raw_latest_snapshot(
    lake: LakeResource, entity: RawEntity
) -> Iterator[tuple[duckdb.DuckDBPyConnection, str | None]]:
    """A DuckDB connection with a view ``raw`` over the newest snapshot of ``entity`` (empty, with the right
    columns, when there is none), and that snapshot's folder name (None without one)."""
    files = lake.find(entity.folder, suffix=".parquet")
    newest = max((path.rsplit("/", 2)[-2] for path in files), default=None)
    con = duckdb.connect()
    try:
        lake.register_with_duckdb(con)
        if newest is None:
            _empty_raw_view(con, entity)
        else:
            url = lake.url(f"{entity.folder}/{newest}")
            con.execute(f"CREATE VIEW raw AS SELECT * FROM read_parquet('{url}/*.parquet')")
        yield con, newest
    finally:
        con.close()


def _empty_raw_view(con: duckdb.DuckDBPyConnection, entity: RawEntity) -> None:
    columns = ", ".join(
        f"CAST(NULL AS {_duckdb_type(field.type)}) AS {field.name}" for field in entity.schema
    )
    con.execute(f"CREATE VIEW raw AS SELECT {columns}, CAST(NULL AS DATE) AS date WHERE false")


def _duckdb_type(arrow_type) -> str:
    import pyarrow as pa

    if pa.types.is_timestamp(arrow_type):
        return "TIMESTAMPTZ"
    if pa.types.is_integer(arrow_type):
        return "BIGINT"
    if pa.types.is_boolean(arrow_type):
        return "BOOLEAN"
    return "VARCHAR"
