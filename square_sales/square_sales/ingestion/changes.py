"""What changed in Square since a position: the business days touched by orders, payments and refunds updated
since then, read within a time budget, and where Square's change history stands now.

Positions are kept per entity and location (the newest ``updated_at`` read), so reading can stop after any page
and continue there on the next call: a backlog of days of changes is read over several sensor ticks, none of which
comes near Dagster's sensor timeout. Every query is sorted by ``updated_at`` ascending; the one furthest behind is
read first, so no entity or location starves while another catches up.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from square_sales.ingestion.client import SquareApi
from square_sales.ingestion.pull import location_batches, orders_query, square_time
from square_sales.partitions import business_day_of

ENTITIES = ("orders", "payments", "refunds")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)

# entity -> location id -> newest updated_at read (ISO 8601)
Positions = dict[str, dict[str, str]]


def _parse(timestamp: str) -> datetime:
    return datetime.fromisoformat(timestamp).astimezone(UTC)


@dataclass
class ChangeScan:
    """The outcome of one budgeted read: days touched, the positions reached, and whether all was read."""

    days: set[date] = field(default_factory=set)
    positions: Positions = field(default_factory=dict)
    complete: bool = True
    objects: int = 0
    pages: int = 0


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
            for page in api.search_orders(list(self.location_ids), query):
                yield page.get("orders") or []
            return
        params = {
            "updated_at_begin_time": square_time(after, "microseconds"),
            "sort_field": "UPDATED_AT",
            "sort_order": "ASC",
            "location_id": self.location_ids[0],
            "limit": api.list_page_limit,
        }
        for page in api.list_pages(f"v2/{self.entity}", params):
            yield page.get(self.entity) or []


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
    (checked between pages, so one page may overrun it); the positions returned continue where reading stopped."""
    deadline = time.monotonic() + budget_seconds
    scan = ChangeScan(positions=with_locations(positions, location_ids))
    for query in sorted(_queries(location_ids), key=lambda q: q.start(scan.positions)):
        if time.monotonic() >= deadline:
            scan.complete = False
            break
        if not _read_query(api, query, scan, timezone, deadline):
            scan.complete = False
            break
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
        stamps = [_parse(obj["updated_at"]) for obj in objects]
        if stamps and time.monotonic() >= deadline and max(stamps) - MICROSECOND > since:
            cut = max(stamps)
            _note(scan, own, [o for o, at in zip(objects, stamps, strict=True) if at < cut], since, timezone)
            _advance(own, query.location_ids, cut - MICROSECOND)
            return False
        _note(scan, own, objects, since, timezone)
        reached = max([reached, *stamps])
    _advance(own, query.location_ids, reached)
    return True


def _note(scan: ChangeScan, own: dict[str, str], objects: list[dict], since: datetime, timezone: str) -> None:
    for obj in objects:
        # Skip what was read already under the object's own location's position.
        if _parse(obj["updated_at"]) <= _parse(own.get(obj.get("location_id"), since.isoformat())):
            continue
        scan.days.add(business_day_of(_parse(obj["created_at"]), timezone))
        scan.objects += 1


def _advance(own: dict[str, str], location_ids: tuple[str, ...], reached: datetime) -> None:
    for loc in location_ids:
        if reached > _parse(own[loc]):
            own[loc] = reached.isoformat()


def baseline_positions(api: SquareApi, location_ids: list[str]) -> Positions:
    """Where Square's history stands now: the newest updated_at per entity (one object per query, newest first),
    as every location's position."""
    newest = dict.fromkeys(ENTITIES, EPOCH)

    def consider(entity: str, objects: list[dict]) -> None:
        for obj in objects:
            newest[entity] = max(newest[entity], _parse(obj["updated_at"]))

    query = {"sort": {"sort_field": "UPDATED_AT", "sort_order": "DESC"}}
    for batch in location_batches(location_ids):
        body = {"location_ids": batch, "query": query, "limit": 1}
        consider("orders", api.request("POST", "v2/orders/search", json=body).get("orders") or [])
    for entity in ("payments", "refunds"):
        for location_id in location_ids:
            params = {
                "sort_field": "UPDATED_AT",
                "sort_order": "DESC",
                "location_id": location_id,
                "limit": 1,
            }
            consider(entity, api.request("GET", f"v2/{entity}", params=params).get(entity) or [])
    return {entity: dict.fromkeys(location_ids, moment.isoformat()) for entity, moment in newest.items()}
