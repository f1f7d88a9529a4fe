"""The raw lake layout: paths, Parquet schemas and how a Square object becomes a row.

Each entity has a fixed, typed schema of key columns plus ``raw_json`` (the object exactly as Square returned it),
so new fields from Square (schema drift) never break a pull: they simply travel inside ``raw_json``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc
from dagster import AssetKey

from square_sales.keys import raw_asset_key

RAW_PREFIX = "raw/square"
TIMESTAMP = pa.timestamp("us", tz="UTC")
# An object whose updated_at is this long after its created_at arrived late (offline upload) or changed later.
LATE_AFTER = pa.scalar(3_600_000_000, pa.duration("us"))


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    extract: Callable[[dict[str, Any]], Any]


def _get(*keys: str) -> Callable[[dict[str, Any]], Any]:
    def extract(obj: dict[str, Any]) -> Any:
        value: Any = obj
        for key in keys:
            if not isinstance(value, dict):
                return None
            value = value.get(key)
        return value

    return extract


def _const(value: Any) -> Callable[[dict[str, Any]], Any]:
    return lambda _obj: value


def _money(field_name: str) -> list[Column]:
    return [Column(f"{field_name}_amount", pa.int64(), _get(field_name, "amount"))]


@dataclass(frozen=True)
class RawEntity:
    name: str
    response_key: str  # the list in Square's response body that holds the objects
    columns: tuple[Column, ...]
    partitioned: bool  # daily partitions by created_at, or snapshots

    @property
    def schema(self) -> pa.Schema:
        return pa.schema(
            [pa.field(c.name, c.type) for c in self.columns]
            + [
                pa.field("raw_json", pa.string()),
                pa.field("_ingested_at", TIMESTAMP),
                pa.field("_run_id", pa.string()),
            ]
        )

    def partition_path(self, day: date) -> str:
        return f"{RAW_PREFIX}/{self.name}/date={day.isoformat()}/part-000.parquet"

    def snapshot_path(self, taken_at: datetime) -> str:
        return f"{RAW_PREFIX}/{self.name}/snapshot_at={taken_at.strftime('%Y%m%dT%H%M%SZ')}/part-000.parquet"

    @property
    def asset_key(self) -> AssetKey:
        return raw_asset_key(self.name)

    @property
    def folder(self) -> str:
        return f"{RAW_PREFIX}/{self.name}"

    def to_batch(self, objects: list[dict[str, Any]], ingested_at: datetime, run_id: str) -> pa.RecordBatch:
        arrays = []
        for column in self.columns:
            values = [column.extract(obj) for obj in objects]
            if column.type == TIMESTAMP:
                # Square's RFC 3339 strings; Arrow parses "Z" and offsets to UTC microseconds.
                arrays.append(pa.array(values, pa.string()).cast(TIMESTAMP))
            else:
                arrays.append(pa.array(values, column.type))
        arrays.append(pa.array([orjson.dumps(obj) for obj in objects], pa.binary()).cast(pa.string()))
        arrays.append(pa.array([ingested_at] * len(objects), TIMESTAMP))
        arrays.append(pa.array([run_id] * len(objects), pa.string()))
        return pa.RecordBatch.from_arrays(arrays, schema=self.schema)

    def late_count(self, batch: pa.RecordBatch) -> int:
        """Rows that reached Square (or changed) over an hour after they were created, or flagged offline."""
        names = batch.schema.names
        if "created_at" not in names or "updated_at" not in names:
            return 0
        late = pc.greater(pc.subtract(batch.column("updated_at"), batch.column("created_at")), LATE_AFTER)
        if "is_offline_payment" in names:
            late = pc.or_kleene(late, batch.column("is_offline_payment"))
        return int(pc.sum(pc.fill_null(late, False)).as_py() or 0)


_KEYS = (
    Column("id", pa.string(), _get("id")),
    Column("location_id", pa.string(), _get("location_id")),
    Column("created_at", TIMESTAMP, _get("created_at")),
    Column("updated_at", TIMESTAMP, _get("updated_at")),
)

ORDERS = RawEntity(
    "orders",
    "orders",
    (
        *_KEYS,
        Column("closed_at", TIMESTAMP, _get("closed_at")),
        Column("version", pa.int64(), _get("version")),
        Column("state", pa.string(), _get("state")),
        *_money("total_money"),
        Column("currency", pa.string(), _get("total_money", "currency")),
    ),
    partitioned=True,
)

PAYMENTS = RawEntity(
    "payments",
    "payments",
    (
        *_KEYS,
        Column("version", pa.int64(), _const(None)),  # payments carry a version_token, not a number
        Column("status", pa.string(), _get("status")),
        Column("order_id", pa.string(), _get("order_id")),
        *_money("amount_money"),
        *_money("total_money"),
        Column("currency", pa.string(), _get("amount_money", "currency")),
        Column("is_offline_payment", pa.bool_(), lambda p: bool(p.get("is_offline_payment", False))),
    ),
    partitioned=True,
)

REFUNDS = RawEntity(
    "refunds",
    "refunds",
    (
        *_KEYS,
        Column("version", pa.int64(), _const(None)),
        Column("status", pa.string(), _get("status")),
        Column("payment_id", pa.string(), _get("payment_id")),
        Column("order_id", pa.string(), _get("order_id")),
        *_money("amount_money"),
        Column("currency", pa.string(), _get("amount_money", "currency")),
    ),
    partitioned=True,
)

LOCATIONS = RawEntity(
    "locations",
    "locations",
    (
        Column("id", pa.string(), _get("id")),
        Column("location_id", pa.string(), _get("id")),  # a location is its own location
        Column("created_at", TIMESTAMP, _get("created_at")),
        Column("updated_at", TIMESTAMP, _const(None)),  # Square's Location has no updated_at
        Column("version", pa.int64(), _const(None)),
        Column("status", pa.string(), _get("status")),
        Column("name", pa.string(), _get("name")),
        Column("timezone", pa.string(), _get("timezone")),
        Column("currency", pa.string(), _get("currency")),
    ),
    partitioned=False,
)

CATALOG = RawEntity(
    "catalog",
    "objects",
    (
        Column("id", pa.string(), _get("id")),
        Column("location_id", pa.string(), _const(None)),  # catalog objects span locations
        Column("created_at", TIMESTAMP, _get("created_at")),
        Column("updated_at", TIMESTAMP, _get("updated_at")),
        Column("version", pa.int64(), _get("version")),
        Column("type", pa.string(), _get("type")),
        Column("is_deleted", pa.bool_(), lambda o: bool(o.get("is_deleted", False))),
    ),
    partitioned=False,
)

CUSTOMERS = RawEntity(
    "customers",
    "customers",
    (
        Column("id", pa.string(), _get("id")),
        Column("location_id", pa.string(), _const(None)),
        Column("created_at", TIMESTAMP, _get("created_at")),
        Column("updated_at", TIMESTAMP, _get("updated_at")),
        Column("version", pa.int64(), _get("version")),
    ),
    partitioned=False,
)

DAILY_ENTITIES = (ORDERS, PAYMENTS, REFUNDS)
SNAPSHOT_ENTITIES = (LOCATIONS, CATALOG, CUSTOMERS)
ENTITIES = {entity.name: entity for entity in (*DAILY_ENTITIES, *SNAPSHOT_ENTITIES)}
