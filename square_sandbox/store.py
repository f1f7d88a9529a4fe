"""The sandbox's data as of its clock: bounded caches of generated location-days and keyset-paged queries."""

from __future__ import annotations

import bisect
import collections
import dataclasses
import datetime as dt
import gc
import threading
from collections.abc import Callable, Iterable

from square_sandbox.days import LATE_HORIZON_US, MAIN_MARGIN_US, DayData, DayGenerator
from square_sandbox.records import Record
from square_sandbox.timeutil import EARLIEST_US, LATEST_US, US_PER_DAY
from square_sandbox.world import Location, World, id_origin

ALL_TIME = (EARLIEST_US, LATEST_US)


class BoundedCache:
    """A small thread-safe LRU: memory stays flat however long the history is."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._items: collections.OrderedDict = collections.OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


@dataclasses.dataclass(frozen=True)
class Segment:
    location: Location
    day: dt.date
    late: bool
    low: int  # no record of this segment has a timestamp below ``low``...
    high: int  # ...or above ``high``


@dataclasses.dataclass(frozen=True)
class PageQuery:
    """Records of one kind at some locations, visible at ``now``, with every ``ranges`` field in [low, high],
    sorted on ``sort_field`` (and id); ``after`` is the (sort value, id) of the last record already returned."""

    kind: str
    locations: list[Location]
    sort_field: str
    ascending: bool
    ranges: dict[str, tuple[int, int]]
    now: int
    after: tuple[int, str] | None
    limit: int
    predicate: Callable[[Record], bool] | None = None

    @property
    def sort_range(self) -> tuple[int, int]:
        return self.ranges.get(self.sort_field, ALL_TIME)


@dataclasses.dataclass
class Page:
    records: list[Record]
    has_more: bool


class Store:
    def __init__(self, world: World) -> None:
        self.world = world
        self.generator = DayGenerator(world)
        self._main = BoundedCache(world.config.day_cache_size)
        self._late = BoundedCache(world.config.late_cache_size)
        self._generation_locks = collections.defaultdict(threading.Lock)
        self._locks_guard = threading.Lock()

    # -- location-days -------------------------------------------------------------------------------------

    def day(self, location: Location, day: dt.date) -> DayData:
        key = (location.index, day)
        data = self._main.get(key)
        if data is not None:
            return data
        with self._locks_guard:
            lock = self._generation_locks[key]
        with lock:  # two requests for the same day generate it once
            data = self._main.get(key)
            if data is None:
                data = self.generator.generate(location, day)
                # Generated days are acyclic and freed by reference counting: keep them out of the cyclic GC,
                # whose full passes over millions of records otherwise stall every request.
                gc.freeze()
                self._main.put(key, data)
                self._late.put(key, data.late)
        with self._locks_guard:
            self._generation_locks.pop(key, None)
        return data

    def segment_records(self, segment: Segment, kind: str) -> list[Record]:
        if segment.late:
            late = self._late.get((segment.location.index, segment.day))
            if late is None:
                late = self.day(segment.location, segment.day).late
            return late[kind]
        return self.day(segment.location, segment.day).main[kind]

    def first_day(self) -> dt.date:
        return self.world.config.start_date

    def segments(
        self, locations: Iterable[Location], created_low: int, created_high: int, now: int
    ) -> list[Segment]:
        """Segments that may hold records created in [created_low, created_high] and visible by ``now``."""
        result = []
        high = min(created_high, now)
        earliest = self.world.locations[0].day_bounds(self.first_day())[0] - US_PER_DAY
        created_low = max(created_low, earliest)
        if high < created_low:
            return result
        for location in locations:
            first = max(self.first_day(), location.local_date(created_low) - dt.timedelta(days=1))
            last = location.local_date(high) + dt.timedelta(days=1)
            day = first - dt.timedelta(days=LATE_HORIZON_US // US_PER_DAY + 1)
            day = max(day, self.first_day())
            while day <= last:
                start, end = location.day_bounds(day)
                if day >= first and start <= high:
                    result.append(Segment(location, day, False, start, end + MAIN_MARGIN_US))
                if start + LATE_HORIZON_US >= created_low and start <= high:
                    result.append(Segment(location, day, True, start, start + LATE_HORIZON_US))
                day += dt.timedelta(days=1)
        return result

    # -- queries -------------------------------------------------------------------------------------------

    def page(self, query: PageQuery) -> Page:
        """One page of ``query``: visible records with every ranged field in range, keyset-paged."""
        created_low, created_high = self._created_window(query.ranges, query.now)
        segments = self.segments(query.locations, created_low, created_high, query.now)
        if query.ascending:
            segments.sort(key=lambda s: s.low)
        else:
            segments.sort(key=lambda s: s.high, reverse=True)
        sort_low, sort_high = query.sort_range
        found: list[tuple[int, str, Record]] = []  # (sort value, id, record)
        for segment in segments:
            if len(found) > query.limit:
                found = _first(found, query)
                boundary = found[-1][0]
                if (segment.low > boundary) if query.ascending else (segment.high < boundary):
                    break  # every record further on sorts after the page
            if segment.high < sort_low or segment.low > sort_high:
                continue
            found.extend(_matches(self.segment_records(segment, query.kind), query))
        found = _first(found, query)
        return Page([item[2] for item in found[: query.limit]], len(found) > query.limit)

    def all_records(
        self, kind: str, locations: list[Location], ranges: dict[str, tuple[int, int]], now: int
    ) -> list[Record]:
        records = []
        after = None
        while True:
            query = PageQuery(kind, locations, "created_at", True, ranges, now, after, limit=10_000)
            page = self.page(query)
            records.extend(page.records)
            if not page.has_more:
                return records
            last = page.records[-1]
            after = (last.created, last.id)

    def find(self, kind: str, entity_id: str, now: int) -> Record | None:
        origin = id_origin(entity_id)
        if origin is None or origin[0] >= len(self.world.locations) or origin[1] < self.first_day():
            return None
        location = self.world.locations[origin[0]]
        if origin[1] > location.local_date(now):
            return None
        for record in self.day(location, origin[1]).records_by_id().get(entity_id, ()):
            if record.kind == kind and record.visible_from <= now < record.visible_until:
                return record
        return None

    @staticmethod
    def _created_window(ranges: dict[str, tuple[int, int]], now: int) -> tuple[int, int]:
        """Every timestamp of a record lies within LATE_HORIZON after its creation: narrow the days to scan."""
        low, high = ALL_TIME[0], now
        for field, (field_low, field_high) in ranges.items():
            if field in ("created_at", "offline_created_at"):
                low, high = max(low, field_low), min(high, field_high)
            else:
                low, high = max(low, field_low - LATE_HORIZON_US), min(high, field_high)
        return low, high


def _first(found: list[tuple[int, str, Record]], query: PageQuery) -> list[tuple[int, str, Record]]:
    """The first ``limit + 1`` in sort order (one more than a page, to know whether another page follows)."""
    found.sort(key=lambda item: (item[0], item[1]), reverse=not query.ascending)
    return found[: query.limit + 1]


def _matches(records: list[Record], query: PageQuery) -> list[tuple[int, str, Record]]:
    """(sort value, id, record) of the segment's records ``query`` selects, after its cursor."""
    sort_field, ascending, after, now = query.sort_field, query.ascending, query.after, query.now
    limit, ranges, predicate = query.limit, query.ranges, query.predicate
    sort_low, sort_high = query.sort_range
    by_created = sort_field == "created_at"
    if by_created:
        # Segments are sorted by (created, id): jump to the cursor and stop after limit + 1 matches.
        records = _created_slice(records, ascending, sort_low, sort_high, after)
    matched = []
    for record in records:
        if by_created:
            if len(matched) > limit:
                break
            value = record.created
            if (value > sort_high) if ascending else (value < sort_low):
                break
        if not record.visible_from <= now < record.visible_until:
            continue
        value = record.field(sort_field)
        if value is None or not sort_low <= value <= sort_high:
            continue
        if after is not None and ((value, record.id) <= after if ascending else (value, record.id) >= after):
            continue
        if not _in_ranges(record, ranges, sort_field):
            continue
        if predicate is not None and not predicate(record):
            continue
        matched.append((value, record.id, record))
    return matched


def _created_slice(records: list[Record], ascending: bool, low: int, high: int, after):
    """The records from the cursor on, in sort order (segments are sorted by (created, id))."""
    keys = _KeyView(records)
    if ascending:
        start = bisect.bisect_right(keys, after) if after is not None else bisect.bisect_left(keys, (low, ""))
        return (records[index] for index in range(start, len(records)))
    end = (
        bisect.bisect_left(keys, after) if after is not None else bisect.bisect_right(keys, (high, "\uffff"))
    )
    return (records[index] for index in range(end - 1, -1, -1))


class _KeyView:
    """(created, id) of each record, for bisect without building a second list."""

    __slots__ = ("records",)

    def __init__(self, records: list[Record]) -> None:
        self.records = records

    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, index: int) -> tuple[int, str]:
        record = self.records[index]
        return (record.created, record.id)


def _in_ranges(record: Record, ranges: dict[str, tuple[int, int]], skip: str) -> bool:
    for field, (low, high) in ranges.items():
        if field == skip:
            continue
        value = record.field(field)
        if value is None or not low <= value <= high:
            return False
    return True
