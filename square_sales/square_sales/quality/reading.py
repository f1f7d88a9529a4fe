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
            columns = ", ".join(
                f"CAST(NULL AS {_duckdb_type(field.type)}) AS {field.name}" for field in entity.schema
            )
            con.execute(f"CREATE VIEW raw AS SELECT {columns}, CAST(NULL AS DATE) AS date WHERE false")
        yield con, found
    finally:
        con.close()


def _duckdb_type(arrow_type) -> str:
    import pyarrow as pa

    if pa.types.is_timestamp(arrow_type):
        return "TIMESTAMPTZ"
    if pa.types.is_integer(arrow_type):
        return "BIGINT"
    if pa.types.is_boolean(arrow_type):
        return "BOOLEAN"
    return "VARCHAR"
