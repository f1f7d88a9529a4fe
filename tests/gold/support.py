"""Reading the gold tables the way an analyst's tool does: with `deltalake` (and pyarrow) only, never with the
platform's own code, so the tests check what any Delta reader sees."""

from __future__ import annotations

import duckdb
import pyarrow as pa
from deltalake import DeltaTable

from square_sales.gold.tables import GoldTable, gold_tables
from square_sales.transform.manifest import DbtManifest
from square_sales.transform.project import dbt_manifest_path
from tests.transform.pipeline import Pipeline

GOLD_TABLES: list[GoldTable] = gold_tables(DbtManifest.load(dbt_manifest_path()))


def local_gold_table(pipeline: Pipeline, name: str, version: int | None = None) -> DeltaTable:
    return DeltaTable(f"{pipeline.lake.path()}/gold/{name}", version=version)


def rows(table: pa.Table) -> list[tuple]:
    """Every row as a tuple, columns by name, sorted: for comparing tables whatever their row order."""
    columns = sorted(table.column_names)
    return sorted((tuple(row[c] for c in columns) for row in table.to_pylist()), key=repr)


def mart_table(pipeline: Pipeline, relation: str, where: str = "") -> pa.Table:
    """A mart as Arrow, timestamps in UTC as Delta keeps them."""
    with duckdb.connect(str(pipeline.database_path), read_only=True) as connection:
        connection.sql("set TimeZone = 'UTC'")
        return connection.sql(f"select * from {relation} {where}").to_arrow_table()
