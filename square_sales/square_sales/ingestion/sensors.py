"""The late-change sensor: changes in Square to days older than the backfill window reach the lake within one tick.

Each tick asks Square for orders, payments and refunds *updated* since the cursor (``updated_at`` filters, sorted by
``updated_at``), maps each object to the business day of its ``created_at``, and requests one run per range of
consecutive days that lie outside the backfill window (the window schedule re-pulls the recent days anyway). An
order uploaded nine days late, or refunded a month later, is re-pulled with no manual step.

The cursor holds the newest ``updated_at`` seen per entity and is stored by Dagster, so it survives restarts. The
very first tick only records where Square is now (the newest ``updated_at`` per entity, a few one-object requests):
history is the job of the initial backfill, and the cursor never depends on this machine's clock.
"""

import hashlib
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import orjson
from dagster import (
    DefaultSensorStatus,
    SensorDefinition,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)

from square_sales.ingestion.client import SquareApi, SquareClientResource
from square_sales.ingestion.pull import location_batches, orders_query, square_time
from square_sales.ingestion.schedules import (
    contiguous_ranges,
    range_run_request,
    square_raw_daily_job,
    window_partition_keys,
)
from square_sales.partitions import business_day_of, daily_partitions

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


def build_late_change_sensor(window_days: int, interval_seconds: int) -> SensorDefinition:
    @sensor(
        name="square_raw_late_change_sensor",
        job=square_raw_daily_job,
        minimum_interval_seconds=interval_seconds,
        default_status=DefaultSensorStatus.RUNNING,
        description=(
            "Polls Square for orders, payments and refunds updated since its cursor and re-pulls the business days "
            f"they belong to when those lie outside the {window_days}-day backfill window "
            "(CHANGE_SENSOR_INTERVAL_SECONDS)."
        ),
    )
    def square_raw_late_change_sensor(context: SensorEvaluationContext, square: SquareClientResource):
        now = datetime.now(UTC)
        timezone = daily_partitions.timezone
        with square.open() as api:
            location_ids = [location["id"] for location in api.list_locations()]
            if not context.cursor:
                cursor = orjson.dumps(
                    baseline_cursor(api, location_ids), option=orjson.OPT_SORT_KEYS
                ).decode()
                return SensorResult(
                    skip_reason=SkipReason(
                        "First tick: recorded Square's newest changes as the starting point."
                    ),
                    cursor=cursor,
                )
            changed, new_cursor = find_changed_days(api, location_ids, orjson.loads(context.cursor), timezone)
        window = set(window_partition_keys(now, window_days))
        valid = set(daily_partitions.get_partition_keys(current_time=now))
        keys = {d.isoformat() for days in changed.values() for d in days}
        outside = sorted(k for k in keys if k in valid and k not in window)
        encoded = orjson.dumps(new_cursor, option=orjson.OPT_SORT_KEYS).decode()
        if not outside:
            inside = len(keys & window)
            return SensorResult(
                skip_reason=SkipReason(
                    f"{len(keys)} changed day(s), {inside} inside the backfill window; nothing older to re-pull."
                ),
                cursor=encoded,
            )
        context.log.info(f"Re-pulling days changed outside the backfill window: {', '.join(outside)}")
        tick = hashlib.sha1(encoded.encode()).hexdigest()[:12]
        return SensorResult(
            run_requests=[
                range_run_request(
                    first, last, reason="late change in Square", run_key=f"late-{tick}-{first}-{last}"
                )
                for first, last in contiguous_ranges(outside)
            ],
            cursor=encoded,
        )

    return square_raw_late_change_sensor
