"""The `matches_mart` check: the Delta version just published holds what the mart holds, for the days published.

Both sides are summarised the same way, per business day (or once for a reference table): the row count and the
sum of every integer column (money in minor units: net sales, totals, tips...). The published side is read
through delta-rs at the committed version, as any reader would see it, by DuckDB scanning its Arrow dataset.
"""

from __future__ import annotations

from datetime import date

import duckdb
from dagster import AssetCheckResult, MetadataValue

from data_platform.resources.delta_tables import DeltaLocation, open_table
from square_sales.gold.tables import BUSINESS_DATE, MATCHES_MART_CHECK, BusinessDays, GoldTable

INTEGER_TYPES = {
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
}
PUBLISHED_VIEW = "gold_published_version"
MISMATCHES_SHOWN = 10

Totals = dict[date | None, tuple[int, ...]]


def compare_with_mart(
    connection: duckdb.DuckDBPyConnection,
    location: DeltaLocation,
    version: int,
    table: GoldTable,
    days: BusinessDays | None,  # None: every day
) -> AssetCheckResult:
    measures = _integer_columns(connection, table.relation)
    mart = _totals(connection, table.relation, measures, table.daily, days)
    published_table = open_table(location, version)
    assert published_table is not None  # just written
    connection.register(PUBLISHED_VIEW, published_table.to_pyarrow_dataset())
    try:
        published = _totals(connection, PUBLISHED_VIEW, measures, table.daily, days)
    finally:
        connection.unregister(PUBLISHED_VIEW)
    differing = sorted(
        (key for key in mart.keys() | published.keys() if mart.get(key) != published.get(key)), key=str
    )
    rows = sum(values[0] for values in mart.values())
    return AssetCheckResult(
        asset_key=table.key,
        check_name=MATCHES_MART_CHECK,
        passed=not differing,
        description=(
            f"{len(differing)} of {len(mart | published)} business days differ from {table.relation}"
            if differing
            else f"Version {version} equals {table.relation}: {rows} rows, sums of {len(measures)} integer columns"
        ),
        metadata={
            "rows_in_mart": MetadataValue.int(rows),
            "days_compared": MetadataValue.int(len(mart | published)),
            "columns_summed": MetadataValue.text(", ".join(measures)),
            "differences": MetadataValue.md(_differences(differing, mart, published, measures) or "none"),
        },
    )


def _integer_columns(connection: duckdb.DuckDBPyConnection, relation: str) -> list[str]:
    described = connection.execute(f"describe {relation}").fetchall()
    return [name for name, kind, *_ in described if kind in INTEGER_TYPES]


def _totals(
    connection: duckdb.DuckDBPyConnection,
    relation: str,
    measures: list[str],
    daily: bool,
    days: BusinessDays | None,
) -> Totals:
    sums = "".join(f", cast(sum({column}) as hugeint)" for column in measures)
    if not daily:
        [row] = connection.execute(f"select count(*){sums} from {relation}").fetchall()
        return {None: tuple(row)} if row[0] else {}
    window, params = "", {}
    if days is not None:
        window, params = (
            f"where {BUSINESS_DATE} between $first and $last",
            {"first": days.first, "last": days.last},
        )
    query = f"select {BUSINESS_DATE}, count(*){sums} from {relation} {window} group by {BUSINESS_DATE}"
    return {row[0]: tuple(row[1:]) for row in connection.execute(query, params).fetchall()}


def _differences(differing: list, mart: Totals, published: Totals, measures: list[str]) -> str:
    if not differing:
        return ""
    header = "| business day | mart (rows, sums) | published (rows, sums) |\n| --- | --- | --- |"
    lines = [
        f"| {key or 'all'} | {mart.get(key)} | {published.get(key)} |" for key in differing[:MISMATCHES_SHOWN]
    ]
    more = f"\n\n…and {len(differing) - MISMATCHES_SHOWN} more" if len(differing) > MISMATCHES_SHOWN else ""
    return f"Columns: rows, {', '.join(measures)}\n\n" + "\n".join([header, *lines]) + more
