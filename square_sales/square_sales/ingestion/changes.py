"""What changed in Square since a cursor: the business days touched by orders, payments and refunds updated since
then, and where Square's change history stands now (the cursor of the late-change sensor)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

from square_sales.ingestion.client import SquareApi
from square_sales.ingestion.pull import location_batches, orders_query, square_time
from square_sales.partitions import business_day_of

ENTITIES = ("orders", "payments", "refunds")


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
            for page in api.search_orders(batch, query):
                yield from page.get("orders") or []
        return
    for location_id in location_ids:
        params = {
            "updated_at_begin_time": start,
            "sort_field": "UPDATED_AT",
            "sort_order": "ASC",
            "location_id": location_id,
            "limit": api.list_page_limit,
        }
        for page in api.list_pages(f"v2/{entity}", params):
            yield from page.get(entity) or []


def baseline_cursor(api: SquareApi, location_ids: list[str]) -> dict[str, str]:
    """The newest updated_at Square holds per entity (one object per query, newest first)."""
    newest = dict.fromkeys(ENTITIES, datetime(1970, 1, 1, tzinfo=UTC))

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
        for obj in _updated_since(api, entity, location_ids, since):
            updated = _parse(obj["updated_at"])
            if updated <= since:
                continue
            days.add(business_day_of(_parse(obj["created_at"]), timezone))
            newest = max(newest, updated)
        changed[entity] = days
        new_cursor[entity] = newest.isoformat()
    return changed, new_cursor
