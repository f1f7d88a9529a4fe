"""What changed in Square since a position: the business days touched by orders, payments and refunds updated
since then, read within a time budget, and where Square's change history stands now.

Positions are kept per entity and location (the newest ``updated_at`` read), so reading can stop after any page
and continue there on the next call: a backlog of days of changes is read over several sensor ticks, none of which
comes near Dagster's sensor timeout. Every query is sorted by ``updated_at`` ascending; the one furthest behind is
read first, so no entity or location starves while another catches up.

A changed object whose ``updated_at`` or ``created_at`` cannot be read cannot be placed on a day: it is logged with
its id (the sensor's log), never silently passed over; the window schedule and the audit still re-pull recent days.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from square_sales.ingestion.client import SquareApi
from square_sales.ingestion.layout import object_label
from square_sales.ingestion.pull import location_batches, orders_query, parse_square_time, square_time
from square_sales.partitions import business_day_of

ENTITIES = ("orders", "payments", "refunds")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
UNPLACEABLE_SHOWN = 10  # ids of changed objects without readable timestamps named in the warning

# entity -> location id -> newest updated_at read (ISO 8601)
Positions = dict[str, dict[str, str]]


def _parse(timestamp: str) -> datetime:
    return datetime.fromisoformat(timestamp).astimezone(UTC)


@dataclass
class ChangeScan:
    """The outcome of one budgeted read: days touched per entity, the positions reached, whether all was read."""

    days_by_entity: dict[str, set[date]] = field(default_factory=lambda: {e: set() for e in ENTITIES})
    positions: Positions = field(default_factory=dict)
    complete: bool = True
    objects: int = 0
    pages: int = 0
    unplaceable: dict[str, list[str]] = field(default_factory=dict)

    @property
    def days(self) -> set[date]:
        return set().union(*self.days_by_entity.values())


@dataclass(frozen=True)
class _Query:
    """One Square query: an entity over a batch of locations (SearchOrders takes 10; the lists take one)."""

    entity: str
    location_ids: tuple[str, ...]

    def start(self, positions: Positions) -> datetime:
        return min(_parse(positions[self.entity][loc]) for loc in self.location_ids)

    def pages(self, api: SquareApi, since: datetime) -> Iterator[list[dict]]:
        # Filters include their start: ask from one microsecond after the position.
        after = since + MICROSECOND
        if self.entity == "orders":
            query = orders_query(after, field_name="updated_at", timespec="microseconds")
            yield from api.search_orders(list(self.location_ids), query)
            return
        params = {
            "updated_at_begin_time": square_time(after, "microseconds"),
            "sort_field": "UPDATED_AT",
            "sort_order": "ASC",
            "location_id": self.location_ids[0],
            "limit": api.list_page_limit,
        }
        yield from api.list_objects(f"v2/{self.entity}", params, self.entity)


def _queries(location_ids: list[str]) -> list[_Query]:
    queries = [_Query("orders", tuple(batch)) for batch in location_batches(location_ids)]
    queries += [_Query(entity, (loc,)) for entity in ("payments", "refunds") for loc in location_ids]
    return queries


def with_locations(positions: Positions, location_ids: list[str]) -> Positions:
    """Positions for every current location: a location new to the cursor starts where its entity's oldest
    position is (its history before that is the initial backfill's job)."""
    result: Positions = {}
    for entity in ENTITIES:
        known = dict(positions.get(entity, {}))
        start = min(known.values(), key=_parse) if known else EPOCH.isoformat()
        result[entity] = {loc: known.get(loc, start) for loc in location_ids}
    return result


def read_changes(
    api: SquareApi, location_ids: list[str], positions: Positions, timezone: str, budget_seconds: float
) -> ChangeScan:
    """Business days (by created_at) touched by changes after ``positions``, reading until the budget is spent
    (checked between pages, so one page may overrun it); the positions returned continue where reading stopped.
    A tick reads at least one page whatever its budget, so a backlog always moves forward."""
    deadline = time.monotonic() + budget_seconds
    scan = ChangeScan(positions=with_locations(positions, location_ids))
    for query in sorted(_queries(location_ids), key=lambda q: q.start(scan.positions)):
        out_of_time = scan.pages > 0 and time.monotonic() >= deadline
        if out_of_time or not _read_query(api, query, scan, timezone, deadline):
            scan.complete = False
            break
    for entity, labels in scan.unplaceable.items():
        api.log.warning(
            f"{len(labels)} changed {entity} without a readable created_at/updated_at cannot be placed "
            f"on a business day: {', '.join(labels[:UNPLACEABLE_SHOWN])}"
        )
    return scan


def _read_query(api: SquareApi, query: _Query, scan: ChangeScan, timezone: str, deadline: float) -> bool:
    """Read one query into ``scan``; False when the budget ran out before its last page. Stopping early, the
    objects of the page's last instant are left for next time (more may follow on the next page), so none is
    missed and none is noted twice."""
    own = scan.positions[query.entity]
    since = query.start(scan.positions)
    reached = since
    for objects in query.pages(api, since):
        scan.pages += 1
        placed = _placeable(scan, query.entity, objects)
        stamps = [updated for updated, _, _ in placed]
        if stamps and time.monotonic() >= deadline and max(stamps) - MICROSECOND > since:
            cut = max(stamps)
            _note(scan, query.entity, own, [p for p in placed if p[0] < cut], since, timezone)
            _advance(own, query.location_ids, cut - MICROSECOND)
            return False
        _note(scan, query.entity, own, placed, since, timezone)
        reached = max([reached, *stamps])
    _advance(own, query.location_ids, reached)
    return True


def _placeable(scan: ChangeScan, entity: str, objects: list[dict]) -> list[tuple[datetime, datetime, dict]]:
    """(updated_at, created_at, object) of the objects whose timestamps can be read; the others are set aside."""
    placed = []
    for obj in objects:
        updated, created = parse_square_time(obj.get("updated_at")), parse_square_time(obj.get("created_at"))
        if updated is None or created is None:
            scan.unplaceable.setdefault(entity, []).append(object_label(obj))
        else:
            placed.append((updated.astimezone(UTC), created, obj))
    return placed


def _note(
    scan: ChangeScan,
    entity: str,
    own: dict[str, str],
    placed: list[tuple[datetime, datetime, dict]],
    since: datetime,
    timezone: str,
) -> None:
    for updated, created, obj in placed:
        # Skip what was read already under the object's own location's position.
        if updated <= _parse(own.get(obj.get("location_id"), since.isoformat())):
            continue
        scan.days_by_entity[entity].add(business_day_of(created, timezone))
        scan.objects += 1


def _advance(own: dict[str, str], location_ids: tuple[str, ...], reached: datetime) -> None:
    for loc in location_ids:
        if reached > _parse(own[loc]):
            own[loc] = reached.isoformat()


def baseline_cursor(api: SquareApi, location_ids: list[str]) -> dict[str, str]:
    """The newest updated_at Square holds per entity (one object per query, newest first)."""
    newest = dict.fromkeys(ENTITIES, EPOCH)

    def consider(entity: str, objects: list[dict]) -> None:
        for obj in objects:
            updated = parse_square_time(obj.get("updated_at"))
            if updated is not None:
                newest[entity] = max(newest[entity], updated.astimezone(UTC))

    query = {"sort": {"sort_field": "UPDATED_AT", "sort_order": "DESC"}}
    for batch in location_batches(location_ids):
        body = {"location_ids": batch, "query": query, "limit": 1}
        consider("orders", api.single_page("POST", "v2/orders/search", "orders", json=body))
    for entity in ("payments", "refunds"):
        for location_id in location_ids:
            params = {
                "sort_field": "UPDATED_AT",
                "sort_order": "DESC",
                "location_id": location_id,
                "limit": 1,
            }
            consider(entity, api.single_page("GET", f"v2/{entity}", entity, params=params))
    return {entity: moment.isoformat() for entity, moment in newest.items()}


def baseline_positions(api: SquareApi, location_ids: list[str]) -> Positions:
    """Where Square's history stands now, as every location's position (the sensor's first tick)."""
    return {
        entity: dict.fromkeys(location_ids, at) for entity, at in baseline_cursor(api, location_ids).items()
    }


def find_changed_days(
    api: SquareApi, location_ids: list[str], cursor: dict[str, str], timezone: str
) -> tuple[dict[str, set[date]], dict[str, str]]:
    """Everything changed after one position per entity, read to the end: the days per entity, and the newest
    position reached per entity."""
    positions = {entity: dict.fromkeys(location_ids, at) for entity, at in cursor.items()}
    scan = read_changes(api, location_ids, positions, timezone, budget_seconds=float("inf"))
    reached = {entity: max(scan.positions[entity].values(), key=_parse) for entity in ENTITIES}
    return scan.days_by_entity, reached
