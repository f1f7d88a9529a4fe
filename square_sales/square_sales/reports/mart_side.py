"""The mart's side of a parity check, read from the warehouse: the report's totals per report key for the run's
business days, and the store-days whose data in the lake changed after Square's report data was refreshed (the
two cannot agree yet: the mart already holds what Square will only report after its next refresh)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import duckdb

from square_sales.reports.specs import DAY_COLUMN, HOUR_COLUMN, LOCATION_COLUMN, ReportSpec
from square_sales.reports.square_side import Totals

# The facts every report is built from; their updated_at says when Square last changed an object of a store-day.
FACT_RELATIONS = ("marts.fct_orders", "marts.fct_payments", "marts.fct_refunds")

StoreDay = tuple[str, date]  # (location_id, business day)


def mart_totals(
    connection: duckdb.DuckDBPyConnection, spec: ReportSpec, measures: list[str], first: date, last: date
) -> Totals:
    """``measures`` of the mart summed per report key (a mart may be finer than the report: it adds up)."""
    keys = [LOCATION_COLUMN, DAY_COLUMN, *([HOUR_COLUMN] if spec.by_hour else []), *spec.dimensions]
    key_list = ", ".join(_quoted(name) for name in keys)
    sums = ", ".join(f"sum({_quoted(name)})" for name in measures)
    rows = connection.execute(
        f"select {key_list}, {sums} from {spec.relation} "
        f"where {DAY_COLUMN} between $first and $last group by {key_list}",
        {"first": first, "last": last},
    ).fetchall()
    return {
        tuple(row[: len(keys)]): {
            name: Decimal(value or 0) for name, value in zip(measures, row[len(keys) :], strict=True)
        }
        for row in rows
    }


def changed_after(
    connection: duckdb.DuckDBPyConnection, first: date, last: date, moment: datetime
) -> set[StoreDay]:
    """Store-days of first..last holding an order, payment or refund that Square changed after ``moment``."""
    changes = " union all ".join(
        f"select location_id, business_date, updated_at from {relation} "
        "where business_date between $first and $last and updated_at > $moment"
        for relation in FACT_RELATIONS
    )
    rows = connection.execute(
        f"select distinct location_id, business_date from ({changes})",
        {"first": first, "last": last, "moment": moment},
    ).fetchall()
    return {(location_id, day) for location_id, day in rows}


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
