"""Pull business days (or one snapshot) from Square into Parquet files, streaming: one file per day.

Pages are turned into Arrow record batches and written as Parquet row groups as they arrive, so memory stays flat
however large a day is; only the ids seen so far are kept (to drop duplicates when a query restarts). Each file is
written to ``lake.staged_file``: it replaces the partition atomically when the pull succeeded, and a failed pull
leaves the previous version of the partition as it was.

Each row is filed under the business day of its entity's partition column (``RawEntity.partition_column``). Most
sources are asked for one day at a time; a *range scan* (``sources.DailySource.range_scan``) reads a whole range
once and files every row under its own day, all days replaced together when the scan ends.

Every object Square returns is accounted for (``PullStats``): landed as a row (with its raw JSON, malformed fields
null and counted, see ``layout``), skipped as a copy of an id already landed (a restarted query), or skipped because
it belongs to a day outside the pull (Square's time filters include their end; the row belongs to the next
partition). An object without an id or a readable partition time is landed, not dropped: the blocking
``no_null_keys`` check fails on it. A range scan counts its pages, time and skipped rows on its first day.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from data_platform.resources.lake import LakeResource
from square_sales.ingestion.client import InvalidCursorError, SquareApi, SquareApiError
from square_sales.ingestion.layout import TIMESTAMP, FieldProblems, RawEntity
from square_sales.ingestion.sources import (
    CATALOG_TYPES,
    CHANGE_SOURCES,
    DAILY_SOURCES,
    SNAPSHOT_SOURCES,
    Query,
    Window,
    location_batches,
    orders_query,
    square_time,
)
from square_sales.partitions import business_day_bounds

# Re-exported: the audit, the late-change sensor and the benchmarks build their queries with these.
__all__ = [
    "CATALOG_TYPES",
    "PullStats",
    "location_batches",
    "orders_query",
    "parse_square_time",
    "pull_changes",
    "pull_day",
    "pull_days",
    "pull_snapshot",
    "square_time",
]

# Buffer pages up to this many rows before writing a row group: big enough for good compression and fast scans,
# small enough (a few MB of JSON) to keep memory flat.
ROW_GROUP_ROWS = 5_000
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


@dataclass
class StreamingParquetWriter:
    """Appends rows to one Parquet file, skipping ids it already holds; rows without an id are kept (they cannot be
    told apart)."""

    entity: RawEntity
    path: str
    stats: PullStats
    _writer: pq.ParquetWriter | None = None
    _buffer: list[pa.RecordBatch] = field(default_factory=list)
    _buffered_rows: int = 0
    _seen_ids: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self._writer = pq.ParquetWriter(self.path, self.entity.schema, compression="zstd")

    def add(self, batch: pa.RecordBatch) -> None:
        keep = []
        for object_id in batch.column("id").to_pylist():
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


@dataclass
class DayFiler:
    """Turns pages into rows and files each row under its day: by the time in ``column``, between consecutive
    ``bounds`` (UTC: the start of each day and the end of the last). A row of no day of the pull is skipped; a
    row without that time goes to the first day (the one Square was asked about), as does every row when
    ``column`` is None (a snapshot; rows that belong to the object they were listed for)."""

    entity: RawEntity
    column: str | None
    bounds: list[datetime]
    writers: list[StreamingParquetWriter]
    run_id: str
    where: str  # the partition(s), for messages
    ingested_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    _edges: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self._edges = np.array([pa.scalar(b, TIMESTAMP).cast(pa.int64()).as_py() for b in self.bounds])

    def add(self, objects: list[dict[str, Any]], context: Mapping[str, Any]) -> None:
        if not objects:
            return
        first = self.writers[0].stats
        batch = self.entity.to_batch(
            objects, self.ingested_at, self.run_id, first.malformed, self.where, context
        )
        positions = self._day_positions(batch)
        for index, writer in enumerate(self.writers):
            rows = np.flatnonzero(positions == index)
            writer.stats.objects_received += len(rows)
            if len(rows):
                writer.add(batch.take(pa.array(rows)))
        outside = int(np.count_nonzero(positions < 0))
        first.objects_received += outside
        first.outside_range_skipped += outside

    def _day_positions(self, batch: pa.RecordBatch) -> np.ndarray:
        """Per row, the index of its day, or -1 outside every day."""
        if self.column is None:
            return np.zeros(batch.num_rows, dtype=np.int64)
        moments = batch.column(self.column).cast(pa.int64())
        values = pc.fill_null(moments, 0).to_numpy(zero_copy_only=False)
        positions = np.searchsorted(self._edges, values, side="right") - 1
        positions[positions >= len(self.writers)] = -1
        positions[pc.is_null(moments).to_numpy(zero_copy_only=False)] = 0
        return positions


def parse_square_time(value: Any) -> datetime | None:
    """An RFC 3339 timestamp with a zone, or None when absent or unreadable."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _resume_point(
    entity: RawEntity, column: str, objects: list[dict[str, Any]], current: datetime | None
) -> datetime | None:
    """The ``column`` time of the last object with a readable one (a query sorted on it resumes there)."""
    for obj in reversed(objects):
        moment = parse_square_time(entity.column(column).extract(obj))
        if moment is not None:
            return moment
    return current


def _stream_query(query: Query, filer: DayFiler, stats: PullStats) -> None:
    """Write every page of one query.

    When Square rejects a cursor (expired), the query starts again. A query sorted by a time column resumes from
    the last value received (inclusive: the writers drop what they already have, by id), so progress is kept
    however often cursors expire; it gives up only after several restarts in a row without progress.
    """
    resume_from: datetime | None = None
    restarts_without_progress = 0
    while True:
        progressed = False
        try:
            for objects in query.pages(resume_from):
                stats.pages += 1
                filer.add(objects, query.context)
                if query.resume_column and objects:
                    resumed = _resume_point(filer.entity, query.resume_column, objects, resume_from)
                    progressed = progressed or resumed != resume_from
                    resume_from = resumed
            return
        except InvalidCursorError:
            stats.cursor_restarts += 1
            restarts_without_progress = 0 if progressed else restarts_without_progress + 1
            if restarts_without_progress > MAX_CURSOR_RESTARTS:
                raise


def _write_partitions(
    lake: LakeResource,
    entity: RawEntity,
    paths: list[str],
    filed_by: tuple[str | None, list[datetime]],
    run_id: str,
    queries: Iterable[Query],
    locations: int,
) -> list[PullStats]:
    """One file per day (``paths``), rows filed by ``filed_by`` (column, day bounds; see DayFiler), all replaced
    together once every query has been read."""
    stats = [PullStats(locations=locations, path=path) for path in paths]
    started = time.perf_counter()
    where = paths[0].split("/")[-2] + (f"..{paths[-1].split('=')[-1][:10]}" if len(paths) > 1 else "")
    with contextlib.ExitStack() as staged:
        local_paths = [staged.enter_context(lake.staged_file(path)) for path in paths]
        writers = [
            StreamingParquetWriter(entity, str(local), day_stats)
            for local, day_stats in zip(local_paths, stats, strict=True)
        ]
        filer = DayFiler(entity, *filed_by, writers, run_id, where)
        try:
            for query in queries:
                _stream_query(query, filer, stats[0])
        except SquareApiError as error:
            # The client knows the endpoint; which partition was being pulled is said here.
            raise type(error)(f"Square {entity.name} {where}: {error}") from None
        finally:
            for writer in writers:
                writer.close()
        for local, day_stats in zip(local_paths, stats, strict=True):
            day_stats.bytes_written = local.stat().st_size
    stats[0].seconds = time.perf_counter() - started
    return stats


def _day_bounds(days: list[date], timezone: str) -> list[datetime]:
    """The start of each day and the end of the last (consecutive days)."""
    return [business_day_bounds(day, timezone)[0] for day in days] + [
        business_day_bounds(days[-1], timezone)[1]
    ]


def pull_days(
    api: SquareApi,
    lake: LakeResource,
    entity: RawEntity,
    days: list[date],
    timezone: str,
    location_ids: list[str],
    run_id: str,
) -> Iterator[tuple[date, PullStats]]:
    """Everything Square holds now for ``entity`` on each of the consecutive business ``days`` (in ``timezone``),
    across all locations, replacing each day's partition; yields each day and its figures once it is replaced
    (a range scan replaces all its days at once, at the end)."""
    source = DAILY_SOURCES[entity.name]
    if not source.range_scan:
        for day in days:
            yield day, pull_day(api, lake, entity, day, timezone, location_ids, run_id)
        return
    yield from zip(days, _pull_window(api, lake, entity, days, timezone, location_ids, run_id), strict=True)


def pull_day(
    api: SquareApi,
    lake: LakeResource,
    entity: RawEntity,
    day: date,
    timezone: str,
    location_ids: list[str],
    run_id: str,
) -> PullStats:
    """Everything Square holds now for ``entity`` on business ``day`` (in ``timezone``), across all locations,
    replacing that day's partition."""
    return _pull_window(api, lake, entity, [day], timezone, location_ids, run_id)[0]


def _pull_window(
    api: SquareApi,
    lake: LakeResource,
    entity: RawEntity,
    days: list[date],
    timezone: str,
    location_ids: list[str],
    run_id: str,
) -> list[PullStats]:
    if entity.name not in DAILY_SOURCES:
        raise ValueError(f"{entity.name} is not a daily entity")
    if any(later - earlier != timedelta(days=1) for earlier, later in pairwise(days)):
        raise ValueError(f"A pull takes consecutive days, not {[d.isoformat() for d in days]}")
    bounds = _day_bounds(days, timezone)
    queries = DAILY_SOURCES[entity.name].queries(api, Window(bounds[0], bounds[-1]), location_ids)
    paths = [entity.partition_path(day) for day in days]
    filed_by = (entity.partition_column, bounds)
    return _write_partitions(lake, entity, paths, filed_by, run_id, queries, len(location_ids))


def pull_snapshot(
    api: SquareApi,
    lake: LakeResource,
    entity: RawEntity,
    taken_at: datetime,
    run_id: str,
    location_ids: list[str] | None = None,
    path: str | None = None,
) -> PullStats:
    """A complete copy of ``entity`` as Square holds it now, as a new snapshot folder (``path``, by default the
    entity's for ``taken_at``). Sources that ask per location list the locations first unless ``location_ids``
    are given."""
    source = SNAPSHOT_SOURCES.get(entity.name)
    if source is None:
        raise ValueError(f"{entity.name} is not a snapshot entity")
    if location_ids is None:
        location_ids = api.location_ids() if source.per_location else []
    queries = source.queries(api, location_ids)
    path = path or entity.snapshot_path(taken_at)
    return _write_partitions(lake, entity, [path], (None, []), run_id, queries, len(location_ids))[0]


def pull_changes(
    api: SquareApi, lake: LakeResource, entity: RawEntity, since: datetime, path: str, run_id: str
) -> PullStats:
    """What Square changed in ``entity`` since ``since`` (deletions where Square lists them), as one file."""
    queries = CHANGE_SOURCES[entity.name].queries(api, since)
    return _write_partitions(lake, entity, [path], (None, []), run_id, queries, 0)[0]
