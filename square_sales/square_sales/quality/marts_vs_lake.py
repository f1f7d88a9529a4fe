"""What the lake holds against what the marts hold, per store and local business day.

The lake side is read through the warehouse's staging views (newest copy of each object, as the models see them);
the marts side is the tables dbt last wrote. The staging views read base tables that only a dbt run refreshes
from the lake, so first each raw partition's version in the lake (its ``_ingested_at``) is compared with the one
the base tables were built from: a day re-pulled since its last build is behind, however equal the figures look. Per store-day: orders, line
items, payments, refunds (counts) and net sales (Square's Sales Summary: completed sales less returns, after
discounts). A store-day that differs is one whose marts were not rebuilt after its raw partition changed, or were
built from something the lake no longer holds. The figures are recomputed here independently of the marts' SQL, so
a broken mart model shows up too.

DuckDB has one writer: a read-only connection fails while a dbt run writes the file. The guard runs in the
``duckdb_writer`` pool so that never happens through Dagster; when someone holds the file anyway, it says so.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import duckdb

from data_platform.resources.lake import LakeResource
from data_platform.resources.warehouse import WarehouseBusy, WarehouseResource
from square_sales.ingestion.layout import SALES_DAILY_ENTITIES

FIGURES = ("orders", "line_items", "payments", "refunds", "net_sales")


class WarehouseUnavailable(RuntimeError):
    """The warehouse cannot be read now (another process writes it, or it was never built)."""


@dataclass(frozen=True)
class StoreDay:
    location_id: str
    business_date: date
    lake: tuple[int, ...]  # FIGURES, from the lake
    marts: tuple[int, ...]  # FIGURES, from the marts

    @property
    def differing(self) -> list[str]:
        return [name for name, a, b in zip(FIGURES, self.lake, self.marts, strict=True) if a != b]


@contextlib.contextmanager
def read_only(warehouse: WarehouseResource) -> Iterator[duckdb.DuckDBPyConnection]:
    try:
        with warehouse.get_connection(read_only=True) as connection:
            yield connection
    except WarehouseBusy as error:  # held open by another process beyond the warehouse's lock wait
        raise WarehouseUnavailable(f"{error} The comparison runs again on the next schedule tick.") from None
    except duckdb.IOException as error:
        if "does not exist" in str(error):
            raise WarehouseUnavailable(
                f"The warehouse {warehouse.database_path} does not exist yet: nothing to compare before the "
                "first dbt run."
            ) from None
        raise


# Local business day of a row: its location's zone (latest snapshot), else the reporting zone; as the models do.
_LOCAL_DAY = "cast(timezone(coalesce(locations.timezone, $zone), {table}.created_at) as date)"

_LAKE_SIDE = f"""
with locations as (select location_id, timezone from staging.stg_square__locations),
orders as (
    select orders.order_id, orders.location_id, orders.order_state, orders.is_return_order,
        {_LOCAL_DAY.format(table="orders")} as business_date
    from staging.stg_square__orders as orders
    left join locations using (location_id)
),
lines as (
    select orders.location_id, orders.business_date, count(*) as line_items,
        sum(case
            when orders.order_state != 'COMPLETED' then 0
            when lines.line_type = 'sale' and not orders.is_return_order
                then lines.gross_amount - coalesce(lines.discount_amount, 0)
            when lines.line_type = 'return' and orders.is_return_order
                then -(lines.gross_amount - coalesce(lines.discount_amount, 0))
            else 0
        end) as net_sales
    from staging.stg_square__order_line_items as lines
    join orders using (order_id)
    group by all
),
payments as (
    select payments.location_id, {_LOCAL_DAY.format(table="payments")} as business_date, count(*) as payments
    from staging.stg_square__payments as payments
    left join locations using (location_id)
    group by all
),
refunds as (
    select refunds.location_id, {_LOCAL_DAY.format(table="refunds")} as business_date, count(*) as refunds
    from staging.stg_square__refunds as refunds
    left join locations using (location_id)
    group by all
),
order_counts as (select location_id, business_date, count(*) as orders from orders group by all)
"""

_MARTS_SIDE = """
marts_orders as (select location_id, business_date, count(*) as orders from marts.fct_orders group by all),
marts_lines as (
    select location_id, business_date, count(*) as line_items from marts.fct_order_line_items group by all
),
marts_payments as (select location_id, business_date, count(*) as payments from marts.fct_payments group by all),
marts_refunds as (select location_id, business_date, count(*) as refunds from marts.fct_refunds group by all),
marts_sales as (select location_id, business_date, net_sales from marts.daily_sales_by_location)
"""

_SIDES = {
    "lake": ("order_counts", "lines", "payments", "refunds", "lines"),
    "marts": ("marts_orders", "marts_lines", "marts_payments", "marts_refunds", "marts_sales"),
}


def _comparison_sql() -> str:
    relations = sorted({r for side in _SIDES.values() for r in side})
    keys = " union ".join(f"select location_id, business_date from {r}" for r in relations)
    joins, columns = [], []
    for side, sources in _SIDES.items():
        for figure, relation in zip(FIGURES, sources, strict=True):
            alias = f"{side}_{figure}"
            joins.append(f"left join {relation} as {alias} using (location_id, business_date)")
            columns.append(f"coalesce({alias}.{figure}, 0) as {alias}")
    return (
        f"{_LAKE_SIDE}, {_MARTS_SIDE}, store_days as ({keys})\n"
        f"select location_id, business_date, {', '.join(columns)}\n"
        f"from store_days {' '.join(joins)}\n"
        "where business_date between $first and $last order by business_date, location_id"
    )


def compare(
    connection: duckdb.DuckDBPyConnection, first: date, last: date, reporting_timezone: str
) -> list[StoreDay]:
    """Every store-day with data on either side between first and last (local business days, inclusive)."""
    rows = connection.execute(
        _comparison_sql(), {"first": first, "last": last, "zone": reporting_timezone}
    ).fetchall()
    n = len(FIGURES)
    return [
        StoreDay(row[0], row[1], tuple(int(v) for v in row[2 : 2 + n]), tuple(int(v) for v in row[2 + n :]))
        for row in rows
    ]


@dataclass(frozen=True)
class RawDayBehind:
    """A raw partition the lake holds in a newer version than the one the warehouse was built from."""

    entity: str
    day: date
    in_lake: datetime
    in_warehouse: datetime | None  # None: the warehouse holds nothing of that partition


def raw_days_behind(
    connection: duckdb.DuckDBPyConnection, lake: LakeResource, first: date, last: date
) -> list[RawDayBehind]:
    """The sales raw partitions from the day before ``first`` to the day after ``last`` (a store's local day can
    fall on either side of the reporting zone's) that were written after the base tables read them."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    filesystem = lake.filesystem()
    days = [first - timedelta(days=1) + timedelta(days=n) for n in range((last - first).days + 3)]
    behind = []
    for entity in SALES_DAILY_ENTITIES:
        built = dict(
            connection.execute(
                f"select raw_partition_date, max(ingested_at) from staging.base_square__{entity.name} "
                "where raw_partition_date between $first and $last group by all",
                {"first": days[0], "last": days[-1]},
            ).fetchall()
        )
        for day in days:
            path = lake.path(entity.partition_path(day))
            if not filesystem.exists(path):
                continue  # never pulled: the raw inputs check refuses to build such a day
            with filesystem.open(path, "rb") as file:
                column = pq.read_table(file, columns=["_ingested_at"]).column("_ingested_at")
            if len(column) == 0:
                continue
            in_lake = _utc(pc.max(column).as_py())
            in_warehouse = _utc(built.get(day))
            if in_warehouse is None or in_lake > in_warehouse:
                behind.append(RawDayBehind(entity.name, day, in_lake, in_warehouse))
    return behind


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)
