"""What changed in Square since a cursor: the business days touched by orders, payments and refunds updated since
then, and where Square's change history stands now (the cursor of the late-change sensor).

A changed object whose ``updated_at`` or ``created_at`` cannot be read cannot be placed on a day: it is logged with
its id (the sensor's log), never silently passed over; the window schedule and the audit still re-pull recent days.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

from square_sales.ingestion.client import SquareApi
from square_sales.ingestion.layout import object_label
from square_sales.ingestion.pull import location_batches, orders_query, parse_square_time, square_time
from square_sales.partitions import business_day_of

ENTITIES = ("orders", "payments", "refunds")
UNPLACEABLE_SHOWN = 10  # ids of changed objects without readable timestamps named in the warning


def _parse(timestamp: str) -> datetime:
    return datetime.fromisoformat(timestamp).astimezone(UTC)


def _updated_since(api: SquareApi, entity: str, location_ids: list[str], since: datetime) -> Iterator[dict]:
    """Objects of ``entity`` whose updated_at is after ``since``, oldest change first within each query."""
    # Filters include their start: ask from one microsecond after the cursor, and drop exact repeats below.
    after = since + timedelta(microseconds=1)
    start = square_time(after, "microseconds")
    if entity == "orders":
        query = orders_query(after, field_name="updated_at", timespec="microseconds")
        for batch in location_batches(location_ids):
            for objects in api.search_orders(batch, query):
                yield from objects
        return
    for location_id in location_ids:
        params = {
            "updated_at_begin_time": start,
            "sort_field": "UPDATED_AT",
            "sort_order": "ASC",
            "location_id": location_id,
            "limit": api.list_page_limit,
        }
        for objects in api.list_objects(f"v2/{entity}", params, entity):
            yield from objects


def baseline_cursor(api: SquareApi, location_ids: list[str]) -> dict[str, str]:
    """The newest updated_at Square holds per entity (one object per query, newest first)."""
    newest = dict.fromkeys(ENTITIES, datetime(1970, 1, 1, tzinfo=UTC))

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


def find_changed_days(
    api: SquareApi, location_ids: list[str], cursor: dict[str, str], timezone: str
) -> tuple[dict[str, set[date]], dict[str, str]]:
    """Business days (by created_at) touched by changes after the cursor, per entity, and the advanced cursor."""
    changed: dict[str, set[date]] = {}
    new_cursor = dict(cursor)
    for entity in ENTITIES:
        since = _parse(cursor[entity])
        newest = since
        days: set[date] = set()
        unplaceable: list[str] = []
        for obj in _updated_since(api, entity, location_ids, since):
            updated = parse_square_time(obj.get("updated_at"))
            created = parse_square_time(obj.get("created_at"))
            if updated is None or created is None:
                unplaceable.append(object_label(obj))
                continue
            if updated <= since:
                continue
            days.add(business_day_of(created, timezone))
            newest = max(newest, updated.astimezone(UTC))
        if unplaceable:
            api.log.warning(
                f"{len(unplaceable)} changed {entity} without a readable created_at/updated_at cannot be placed "
                f"on a business day: {', '.join(unplaceable[:UNPLACEABLE_SHOWN])}"
            )
        changed[entity] = days
        new_cursor[entity] = newest.isoformat()
    return changed, new_cursor
