"""Pull one business day (or one snapshot) from Square into one Parquet file, streaming.

Pages are turned into Arrow record batches and written as Parquet row groups as they arrive, so memory stays flat
however large a day is; only the ids seen so far are kept (to drop duplicates when a query restarts). The file is
written to ``lake.staged_file``: it replaces the partition atomically when the whole day succeeded, and a failed
pull leaves the previous version of the partition as it was.

Every object Square returns is accounted for (``PullStats``): landed as a row (with its raw JSON, malformed fields
null and counted, see ``layout``), skipped as a copy of an id already landed (a restarted query), or skipped because
its created_at lies outside the day (Square's time filters include their end; it belongs to the next partition).
An object without an id or a readable created_at is landed, not dropped: the blocking ``no_null_keys`` check fails
on it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from data_platform.resources.lake import LakeResource
from square_sales.ingestion.client import (
    MAX_LOCATIONS_PER_SEARCH,
    InvalidCursorError,
    SquareApi,
    SquareApiError,
)
from square_sales.ingestion.layout import ORDERS, PAYMENTS, REFUNDS, TIMESTAMP, FieldProblems, RawEntity
from square_sales.partitions import business_day_bounds

# Buffer pages up to this many rows before writing a row group: big enough for good compression and fast scans,
# small enough (a few MB of JSON) to keep memory flat.
ROW_GROUP_ROWS = 5_000
# Catalog object types to land. Variations and modifiers are asked for explicitly: by default Square returns
# only top-level objects, with variations nested inside their items.
CATALOG_TYPES = "ITEM,ITEM_VARIATION,CATEGORY,TAX,DISCOUNT,MODIFIER_LIST,MODIFIER,PRICING_RULE,PRODUCT_SET"
# How many times in a row a query may restart without progress after Square rejects its cursor.
MAX_CURSOR_RESTARTS = 3


@dataclass
class PullStats:
    objects_received: int = 0  # = rows + duplicates_skipped + outside_range_skipped
    rows: int = 0
    pages: int = 0
    locations: int = 0
    late_uploads: int = 0
    duplicates_skipped: int = 0
    outside_range_skipped: int = 0
    null_key_rows: int = 0  # landed with a null key column: the blocking no_null_keys check fails
    cursor_restarts: int = 0
    bytes_written: int = 0
    seconds: float = 0.0
    path: str = ""
    malformed: FieldProblems = field(default_factory=FieldProblems)

    COUNTS = (
        "objects_received",
        "rows",
        "pages",
        "late_uploads",
        "duplicates_skipped",
        "outside_range_skipped",
        "null_key_rows",
        "cursor_restarts",
        "bytes_written",
    )

    def add(self, other: PullStats) -> None:
        for name in self.COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.locations = max(self.locations, other.locations)
        self.seconds += other.seconds
        self.malformed.merge(other.malformed)


def square_time(moment: datetime, timespec: str = "milliseconds") -> str:
    """RFC 3339 in UTC (milliseconds by default, as Square writes timestamps)."""
    return moment.astimezone(UTC).isoformat(timespec=timespec).replace("+00:00", "Z")


@dataclass
class StreamingParquetWriter:
    """Appends Square objects to one Parquet file, skipping rows created outside [start, end) and ids it already
    holds; rows without an id or a readable created_at are kept (they cannot be placed or deduplicated)."""

    entity: RawEntity
    path: str
    run_id: str
    stats: PullStats
    created_range: tuple[datetime, datetime] | None = None
    where: str = ""  # the partition, for messages
    ingested_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    _writer: pq.ParquetWriter | None = None
    _buffer: list[pa.RecordBatch] = field(default_factory=list)
    _buffered_rows: int = 0
    _seen_ids: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self._writer = pq.ParquetWriter(self.path, self.entity.schema, compression="zstd")

    def add(self, objects: list[dict[str, Any]]) -> None:
        if not objects:
            return
        self.stats.objects_received += len(objects)
        batch = self.entity.to_batch(objects, self.ingested_at, self.run_id, self.stats.malformed, self.where)
        if self.created_range is not None:
            # Square's time filters are inclusive at both ends; the partition is [start, end). A row whose
            # created_at is null (absent or unreadable) stays: Square returned it for this day.
            start, end = (pa.scalar(t, TIMESTAMP) for t in self.created_range)
            created = batch.column("created_at")
            inside = pc.fill_null(pc.and_(pc.greater_equal(created, start), pc.less(created, end)), True)
            kept = batch.filter(inside)
            self.stats.outside_range_skipped += batch.num_rows - kept.num_rows
            batch = kept
        keep = []
        for object_id in batch.column("id").to_pylist():
            # Objects without an id cannot be told apart: all of them land (and fail no_null_keys).
            keep.append(object_id is None or object_id not in self._seen_ids)
            self._seen_ids.add(object_id)
        if not all(keep):
            before = batch.num_rows
            batch = batch.filter(pa.array(keep))
            self.stats.duplicates_skipped += before - batch.num_rows
        self.stats.rows += batch.num_rows
        self.stats.null_key_rows += self.entity.null_key_rows(batch)
        self.stats.late_uploads += self.entity.late_count(batch)
        self._buffer.append(batch)
        self._buffered_rows += batch.num_rows
        if self._buffered_rows >= ROW_GROUP_ROWS:
            self._flush()

    def _flush(self) -> None:
        if self._buffer:
            self._writer.write_table(pa.Table.from_batches(self._buffer, schema=self.entity.schema))
        self._buffer.clear()
        self._buffered_rows = 0

    def close(self) -> None:
        self._flush()
        self._writer.close()


# A query: given the created_at to resume from (None = from the start), the objects of each page of its answer.
Query = Callable[[datetime | None], Iterator[list[dict[str, Any]]]]


def _resume_point(objects: list[dict[str, Any]], current: datetime | None) -> datetime | None:
    """The created_at of the last object with a readable one (a query sorted by created_at resumes there)."""
    for obj in reversed(objects):
        created = parse_square_time(obj.get("created_at"))
        if created is not None:
            return created
    return current


def parse_square_time(value: Any) -> datetime | None:
    """An RFC 3339 timestamp with a zone, or None when absent or unreadable."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _stream_query(query: Query, writer: StreamingParquetWriter, stats: PullStats, resumable: bool) -> None:
    """Write every page of one query.

    When Square rejects a cursor (expired), the query starts again. A query sorted by created_at resumes from the
    created_at of the last object received (inclusive: the writer drops what it already has, by id), so progress is
    kept however often cursors expire; it gives up only after several restarts in a row without progress.
    """
    resume_from: datetime | None = None
    restarts_without_progress = 0
    while True:
        progressed = False
        try:
            for objects in query(resume_from):
                stats.pages += 1
                writer.add(objects)
                if resumable and objects:
                    resumed = _resume_point(objects, resume_from)
                    progressed = progressed or resumed != resume_from
                    resume_from = resumed
            return
        except InvalidCursorError:
            stats.cursor_restarts += 1
            restarts_without_progress = 0 if progressed else restarts_without_progress + 1
            if restarts_without_progress > MAX_CURSOR_RESTARTS:
                raise


def _write_partition(
    lake: LakeResource,
    entity: RawEntity,
    relative_path: str,
    run_id: str,
    queries: list[Query],
    created_range: tuple[datetime, datetime] | None,
    locations: int,
) -> PullStats:
    stats = PullStats(locations=locations, path=relative_path)
    started = time.perf_counter()
    where = relative_path.split("/")[-2]  # date=YYYY-MM-DD or snapshot_at=...
    with lake.staged_file(relative_path) as local_path:
        writer = StreamingParquetWriter(entity, str(local_path), run_id, stats, created_range, where=where)
        try:
            for query in queries:
                _stream_query(query, writer, stats, resumable=created_range is not None)
        except SquareApiError as error:
            # The client knows the endpoint; which partition was being pulled is said here.
            raise type(error)(f"Square {entity.name} {where}: {error}") from None
        finally:
            writer.close()
        stats.bytes_written = local_path.stat().st_size
    stats.seconds = time.perf_counter() - started
    return stats


def orders_query(
    start: datetime,
    end: datetime | None = None,
    field_name: str = "created_at",
    timespec: str = "milliseconds",
) -> dict[str, Any]:
    """SearchOrders query for ``field_name`` in [start, end] (Square includes both ends), sorted on that field
    (Square requires the sort field to be the filtered one)."""
    time_range = {"start_at": square_time(start, timespec)}
    if end is not None:
        time_range["end_at"] = square_time(end, timespec)
    return {
        "filter": {"date_time_filter": {field_name: time_range}},
        "sort": {"sort_field": field_name.upper(), "sort_order": "ASC"},
    }


def _resume(start: datetime, resume_from: datetime | None) -> datetime:
    return resume_from or start


def location_batches(location_ids: list[str]) -> list[list[str]]:
    return [
        location_ids[i : i + MAX_LOCATIONS_PER_SEARCH]
        for i in range(0, len(location_ids), MAX_LOCATIONS_PER_SEARCH)
    ]


def pull_day(
    api: SquareApi,
    lake: LakeResource,
    entity: RawEntity,
    day: date,
    timezone: str,
    location_ids: list[str],
    run_id: str,
) -> PullStats:
    """Everything Square holds now for ``entity`` created on business ``day`` (in ``timezone``), across all
    locations, replacing that day's partition."""
    start, end = business_day_bounds(day, timezone)
    if entity is ORDERS:
        queries = [
            (
                lambda resume_from, batch=batch: api.search_orders(
                    batch, orders_query(_resume(start, resume_from), end)
                )
            )
            for batch in location_batches(location_ids)
        ]
    elif entity in (PAYMENTS, REFUNDS):
        path = f"v2/{entity.name}"
        queries = [
            (
                lambda resume_from, location_id=location_id: api.list_objects(
                    path,
                    {
                        "begin_time": square_time(_resume(start, resume_from)),
                        "end_time": square_time(end),
                        "sort_order": "ASC",
                        "location_id": location_id,
                        "limit": api.list_page_limit,
                    },
                    entity.response_key,
                )
            )
            for location_id in location_ids
        ]
    else:
        raise ValueError(f"{entity.name} is not a daily entity")
    return _write_partition(
        lake, entity, entity.partition_path(day), run_id, queries, (start, end), len(location_ids)
    )


def pull_snapshot(
    api: SquareApi,
    lake: LakeResource,
    entity: RawEntity,
    taken_at: datetime,
    run_id: str,
    location_ids: list[str] | None = None,
) -> PullStats:
    """A complete copy of ``entity`` as Square holds it now, as a new snapshot folder."""
    if entity.name == "locations":
        queries = [lambda _: iter([api.list_locations()])]
    elif entity.name == "catalog":
        queries = [
            lambda _: api.list_objects("v2/catalog/list", {"types": CATALOG_TYPES}, entity.response_key)
        ]
    elif entity.name == "customers":
        queries = [
            lambda _: api.list_objects("v2/customers", {"limit": api.list_page_limit}, entity.response_key)
        ]
    else:
        raise ValueError(f"{entity.name} is not a snapshot entity")
    return _write_partition(
        lake, entity, entity.snapshot_path(taken_at), run_id, queries, None, len(location_ids or [])
    )
