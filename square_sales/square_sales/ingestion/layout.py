"""The raw lake layout: paths, Parquet schemas and how a Square object becomes a row.

Each entity has a fixed, typed schema of key columns plus ``raw_json`` (the object exactly as Square returned it),
so new fields from Square (schema drift) never break a pull: they simply travel inside ``raw_json``.

**What happens to a field that is absent or malformed** (a wrong JSON type, a timestamp that does not parse or has
no zone, a number that is not an integer, a nested object that is not an object). Every object Square returns is
either landed with its ``raw_json`` or stops the pull with a clear error; none is dropped:

- ``kept``: the object lands, the typed column is null, the pull counts it per field (``malformed_fields`` in the
  materialization metadata) and ``no_schema_drift`` reports it. A null *key* column (``RawEntity.key_columns``:
  id, location_id, created_at; payment_id for refunds) also fails the blocking ``no_null_keys`` check, so the
  marts are not built from the partition until it is fixed.
- ``error``: the pull stops with one message naming entity, partition, field, object id and value; the previous
  version of the partition stays as it was. Used for money amounts: every sales figure is built from them, and a
  value that is not an integer number of minor units cannot be read without guessing.

Checking is vectorised: Arrow converts each column of a page in one call, and only a page that fails is looked at
value by value to say which object and field are wrong.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
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
INT64_RANGE = range(-(2**63), 2**63)
SAMPLE_IDS = 5  # object ids kept per malformed field, for messages and metadata


class OnMalformed(StrEnum):
    KEPT = "kept"  # the object lands with the column null, counted per field
    ERROR = "error"  # the pull stops naming entity, partition, field, object id and value


class MalformedFieldError(ValueError):
    """A field whose policy is ``error`` holds a value that cannot be read."""


@dataclass(frozen=True)
class _Malformed:
    """A parent of the field that is not a JSON object (e.g. ``"total_money": 5``)."""

    value: Any
    at: str


def _shown(value: Any) -> str:
    return orjson.dumps(value, default=str).decode()[:40]


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    path: tuple[str, ...] | None  # where the value sits in the Square object; None for a fixed value
    on_malformed: OnMalformed = OnMalformed.KEPT
    when_absent: Any = None  # the value when the field is absent or null
    expected: str = ""  # what a valid value looks like, for messages

    @property
    def source(self) -> str:
        return ".".join(self.path) if self.path else self.name

    def extract(self, obj: dict[str, Any]) -> Any:
        if self.path is None:
            return self.when_absent
        value: Any = obj
        for depth, key in enumerate(self.path):
            if value is None:
                break
            if not isinstance(value, dict):
                return _Malformed(value, ".".join(self.path[:depth]))
            value = value.get(key)
        return self.when_absent if value is None else value


def _field(name: str, kind: pa.DataType, *path: str, **options: Any) -> Column:
    return Column(name, kind, path or (name,), **options)


def _money(field_name: str) -> list[Column]:
    return [
        Column(
            f"{field_name}_amount",
            pa.int64(),
            (field_name, "amount"),
            on_malformed=OnMalformed.ERROR,
            expected="an integer amount of minor units",
        )
    ]


# -- conversion of one column of a page ------------------------------------------------------------------------


def _timestamp_array(values: list[Any]) -> pa.Array:
    """RFC 3339 strings with a zone, as UTC microseconds (Arrow parses "Z" and offsets)."""
    return pa.array(values, pa.string()).cast(TIMESTAMP)


def _parse_timestamp(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)  # also more than 6 fractional digits, which Arrow refuses
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None  # no zone: which instant it is would be a guess


def _strict_array(values: list[Any], kind: pa.DataType) -> pa.Array:
    """Values of exactly the JSON type of ``kind``: Arrow's own conversion truncates 3.5 to 3 and reads 0 and 1
    as booleans, so the inferred type must match instead."""
    array = pa.array(values)
    if array.type != kind and not pa.types.is_null(array.type):
        raise TypeError(f"inferred {array.type}")
    return array.cast(kind)


def _is_valid(value: Any, kind: pa.DataType) -> bool:
    if kind == pa.string():
        return isinstance(value, str)
    if kind == pa.bool_():
        return isinstance(value, bool)
    return type(value) is int and value in INT64_RANGE


def _fast_array(column: Column, values: list[Any]) -> pa.Array:
    if column.type == TIMESTAMP:
        return _timestamp_array(values)
    if column.type == pa.string():
        return pa.array(values, pa.string())
    return _strict_array(values, column.type)


def _read(column: Column, value: Any) -> Any:
    """The value as the column holds it, or _BAD."""
    if isinstance(value, _Malformed):
        return _BAD
    if column.type == TIMESTAMP:
        parsed = _parse_timestamp(value)
        return _BAD if parsed is None else parsed
    return value if _is_valid(value, column.type) else _BAD


_BAD = object()


def _checked_values(column: Column, values: list[Any]) -> tuple[list[Any], list[int]]:
    """The values with every malformed one replaced by None, and the positions of those."""
    checked, bad = [], []
    for position, value in enumerate(values):
        read = None if value is None else _read(column, value)
        if read is _BAD:
            bad.append(position)
            read = None
        checked.append(read)
    return checked, bad


def _describe(column: Column, value: Any) -> str:
    if isinstance(value, _Malformed):
        return f"{value.at} = {_shown(value.value)} (not an object, so no {column.source})"
    return f"{column.source} = {_shown(value)}"


@dataclass
class FieldProblems:
    """Malformed values kept as null, per source field: how many, and the ids of a few objects."""

    counts: Counter = field(default_factory=Counter)
    samples: dict[str, list[str]] = field(default_factory=dict)

    def add(self, source: str, object_ids: list[str]) -> None:
        self.counts[source] += len(object_ids)
        kept = self.samples.setdefault(source, [])
        kept.extend(object_ids[: SAMPLE_IDS - len(kept)])

    def merge(self, other: FieldProblems) -> None:
        for source, count in other.counts.items():
            self.counts[source] += count
            kept = self.samples.setdefault(source, [])
            kept.extend(other.samples.get(source, [])[: SAMPLE_IDS - len(kept)])

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def summary(self) -> str:
        return ", ".join(
            f"{source} in {count} ({', '.join(self.samples[source])})"
            for source, count in sorted(self.counts.items())
        )


def object_label(obj: dict[str, Any]) -> str:
    object_id = obj.get("id")
    return object_id if isinstance(object_id, str) and object_id else "(no id)"


@dataclass(frozen=True)
class RawEntity:
    name: str
    response_key: str  # the list in Square's response body that holds the objects
    columns: tuple[Column, ...]
    partitioned: bool  # daily partitions by created_at, or snapshots
    key_columns: tuple[str, ...] = ()  # never null in a sound partition (the blocking no_null_keys check)

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

    @property
    def singular(self) -> str:
        return {"catalog": "catalog object", "customers": "customer"}.get(self.name, self.name[:-1])

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

    def to_batch(
        self,
        objects: list[dict[str, Any]],
        ingested_at: datetime,
        run_id: str,
        problems: FieldProblems | None = None,
        where: str = "",
    ) -> pa.RecordBatch:
        """The rows of ``objects``. Malformed values of ``kept`` fields become null and are added to
        ``problems``; one of an ``error`` field raises MalformedFieldError naming ``where`` (the partition)."""
        arrays = [self._column_array(column, objects, problems, where) for column in self.columns]
        arrays.append(pa.array([orjson.dumps(obj) for obj in objects], pa.binary()).cast(pa.string()))
        arrays.append(pa.array([ingested_at] * len(objects), TIMESTAMP))
        arrays.append(pa.array([run_id] * len(objects), pa.string()))
        return pa.RecordBatch.from_arrays(arrays, schema=self.schema)

    def _column_array(
        self, column: Column, objects: list[dict[str, Any]], problems: FieldProblems | None, where: str
    ) -> pa.Array:
        values = [column.extract(obj) for obj in objects]
        try:
            return _fast_array(column, values)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError):
            pass  # some value is malformed: find which, below
        checked, bad = _checked_values(column, values)
        if bad and column.on_malformed is OnMalformed.ERROR:
            first = bad[0]
            raise MalformedFieldError(
                f"Square {self.name}{' ' + where if where else ''}: {self.singular} {object_label(objects[first])} "
                f"has {_describe(column, values[first])}, expected {column.expected} ({len(bad)} such object(s) "
                "in the page); the partition was not replaced."
            )
        if bad and problems is not None:
            problems.add(column.source, [object_label(objects[i]) for i in bad])
        return pa.array(checked, column.type)

    def late_count(self, batch: pa.RecordBatch) -> int:
        """Rows that reached Square (or changed) over an hour after they were created, or flagged offline."""
        names = batch.schema.names
        if "created_at" not in names or "updated_at" not in names:
            return 0
        late = pc.greater(pc.subtract(batch.column("updated_at"), batch.column("created_at")), LATE_AFTER)
        if "is_offline_payment" in names:
            late = pc.or_kleene(late, batch.column("is_offline_payment"))
        return int(pc.sum(pc.fill_null(late, False)).as_py() or 0)

    def null_key_rows(self, batch: pa.RecordBatch) -> int:
        """Rows with a null key column (they land, and the blocking no_null_keys check fails)."""
        if not self.key_columns or batch.num_rows == 0:
            return 0
        nulls = [pc.is_null(batch.column(name)) for name in self.key_columns]
        any_null = nulls[0]
        for more in nulls[1:]:
            any_null = pc.or_(any_null, more)
        return int(pc.sum(any_null).as_py() or 0)


_TIMESTAMP_TEXT = "an RFC 3339 timestamp with a zone"
_KEYS = (
    _field("id", pa.string()),
    _field("location_id", pa.string()),
    _field("created_at", TIMESTAMP, expected=_TIMESTAMP_TEXT),
    _field("updated_at", TIMESTAMP, expected=_TIMESTAMP_TEXT),
)

ORDERS = RawEntity(
    "orders",
    "orders",
    (
        *_KEYS,
        _field("closed_at", TIMESTAMP, expected=_TIMESTAMP_TEXT),
        _field("version", pa.int64()),
        _field("state", pa.string()),
        *_money("total_money"),
        _field("currency", pa.string(), "total_money", "currency"),
    ),
    partitioned=True,
    key_columns=("id", "location_id", "created_at"),
)

PAYMENTS = RawEntity(
    "payments",
    "payments",
    (
        *_KEYS,
        Column("version", pa.int64(), None),  # payments carry a version_token, not a number
        _field("status", pa.string()),
        _field("order_id", pa.string()),
        *_money("amount_money"),
        *_money("total_money"),
        _field("currency", pa.string(), "amount_money", "currency"),
        _field("is_offline_payment", pa.bool_(), when_absent=False),
    ),
    partitioned=True,
    key_columns=("id", "location_id", "created_at"),
)

REFUNDS = RawEntity(
    "refunds",
    "refunds",
    (
        *_KEYS,
        Column("version", pa.int64(), None),
        _field("status", pa.string()),
        _field("payment_id", pa.string()),
        _field("order_id", pa.string()),
        *_money("amount_money"),
        _field("currency", pa.string(), "amount_money", "currency"),
    ),
    partitioned=True,
    key_columns=("id", "created_at", "payment_id"),
)

LOCATIONS = RawEntity(
    "locations",
    "locations",
    (
        _field("id", pa.string()),
        _field("location_id", pa.string(), "id"),  # a location is its own location
        _field("created_at", TIMESTAMP, expected=_TIMESTAMP_TEXT),
        Column("updated_at", TIMESTAMP, None),  # Square's Location has no updated_at
        Column("version", pa.int64(), None),
        _field("status", pa.string()),
        _field("name", pa.string()),
        _field("timezone", pa.string()),
        _field("currency", pa.string()),
    ),
    partitioned=False,
)

CATALOG = RawEntity(
    "catalog",
    "objects",
    (
        _field("id", pa.string()),
        Column("location_id", pa.string(), None),  # catalog objects span locations
        _field("created_at", TIMESTAMP, expected=_TIMESTAMP_TEXT),
        _field("updated_at", TIMESTAMP, expected=_TIMESTAMP_TEXT),
        _field("version", pa.int64()),
        _field("type", pa.string()),
        _field("is_deleted", pa.bool_(), when_absent=False),
    ),
    partitioned=False,
)

CUSTOMERS = RawEntity(
    "customers",
    "customers",
    (
        _field("id", pa.string()),
        Column("location_id", pa.string(), None),
        _field("created_at", TIMESTAMP, expected=_TIMESTAMP_TEXT),
        _field("updated_at", TIMESTAMP, expected=_TIMESTAMP_TEXT),
        _field("version", pa.int64()),
    ),
    partitioned=False,
)

DAILY_ENTITIES = (ORDERS, PAYMENTS, REFUNDS)
SNAPSHOT_ENTITIES = (LOCATIONS, CATALOG, CUSTOMERS)
ENTITIES = {entity.name: entity for entity in (*DAILY_ENTITIES, *SNAPSHOT_ENTITIES)}


def policy_rows() -> list[tuple[str, str, str]]:
    """(field, entities, policy) for every field read from the objects: the README's per-field policy table."""
    rows: dict[tuple[str, str], list[str]] = {}
    for entity in ENTITIES.values():
        for column in entity.columns:
            if column.path is None:
                continue
            policy = column.on_malformed.value
            if column.name in entity.key_columns and column.on_malformed is OnMalformed.KEPT:
                policy += " (key: blocks)"
            names = rows.setdefault((column.source, policy), [])
            if entity.name not in names:
                names.append(entity.name)
    return [(source, ", ".join(names), policy) for (source, policy), names in sorted(rows.items())]
