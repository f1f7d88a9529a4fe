"""Where each raw entity comes from in Square: the endpoint, and the queries that pull one business day or one
snapshot of it.

A daily source gives the queries of a window of time (one business day, or a whole range for a *range scan*); a
snapshot source the queries listing everything Square holds now. A query is a function of where to resume (None:
from the start) returning the objects of each page, with the context its rows carry (the shift an event was
listed for) and the column it is sorted by, if a rejected cursor can resume from the last value received.

Children are listed per parent, from the parent's own listing: a drawer shift's events, a payout's entries.

Catalog and customers are also pulled *incrementally*: a change source gives the queries of what changed since a
time (Square's search on the objects' update time), deleted catalog objects included.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from square_sales.ingestion.client import MAX_LOCATIONS_PER_SEARCH, SquareApi

Pages = Iterator[list[dict[str, Any]]]

# Catalog object types to land. Variations and modifiers are asked for explicitly: by default Square returns
# only top-level objects, with variations nested inside their items.
CATALOG_TYPES = "ITEM,ITEM_VARIATION,CATEGORY,TAX,DISCOUNT,MODIFIER_LIST,MODIFIER,PRICING_RULE,PRODUCT_SET"
# Page sizes: Square's maxima per endpoint.
TIMECARDS_PAGE_LIMIT = 200
DRAWER_SHIFTS_PAGE_LIMIT = 1000
INVENTORY_PAGE_LIMIT = 1000
LOYALTY_EVENTS_PAGE_LIMIT = 30
SEARCH_PAGE_LIMIT = 200  # team members, gift cards, loyalty accounts, invoices
CATALOG_SEARCH_PAGE_LIMIT = 1000
CUSTOMERS_SEARCH_PAGE_LIMIT = 100
# A register's clock may run ahead of Square's: a change Square recorded shortly before the day began can still
# have occurred on it.
CLOCK_SKEW = timedelta(hours=1)


@dataclass(frozen=True)
class Query:
    """One paged query: ``pages(resume_from)`` yields the objects of each page. A query sorted by the time column
    ``resume_column`` starts again from the last value received when Square rejects its cursor; without one it
    starts over (the writer drops the ids it already has)."""

    pages: Callable[[datetime | None], Pages]
    resume_column: str | None = None
    context: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Window:
    """[start, end) in UTC: one business day, or every day of a range scan."""

    start: datetime
    end: datetime


DayQueries = Callable[[SquareApi, Window, list[str]], Iterable[Query]]
SnapshotQueries = Callable[[SquareApi, list[str]], Iterable[Query]]
ChangeQueries = Callable[[SquareApi, datetime], Iterable[Query]]


@dataclass(frozen=True)
class DailySource:
    endpoint: str
    queries: DayQueries
    # One scan for a whole range of days, each row filed under its own day: for a log Square files under another
    # time than the one that names the day (an inventory change occurs on one day, reaches Square on a later one).
    range_scan: bool = False


@dataclass(frozen=True)
class SnapshotSource:
    endpoint: str
    queries: SnapshotQueries
    per_location: bool = False  # asks one location at a time: the pull lists the locations first


@dataclass(frozen=True)
class ChangeSource:
    """What changed since a time (deletions too, where Square keeps them): the incremental pull of an object
    Square otherwise lists whole (its full listing stays in SNAPSHOT_SOURCES)."""

    endpoint: str
    queries: ChangeQueries


def square_time(moment: datetime, timespec: str = "milliseconds") -> str:
    """RFC 3339 in UTC (milliseconds by default, as Square writes timestamps)."""
    return moment.astimezone(UTC).isoformat(timespec=timespec).replace("+00:00", "Z")


def location_batches(location_ids: list[str]) -> list[list[str]]:
    return [
        location_ids[i : i + MAX_LOCATIONS_PER_SEARCH]
        for i in range(0, len(location_ids), MAX_LOCATIONS_PER_SEARCH)
    ]


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


def _time_range(start: datetime, end: datetime) -> dict[str, str]:
    return {"start_at": square_time(start), "end_at": square_time(end)}


# -- sales --------------------------------------------------------------------------------------------------------


def _orders(api: SquareApi, window: Window, location_ids: list[str]) -> Iterator[Query]:
    for batch in location_batches(location_ids):
        yield Query(
            lambda resume, batch=batch: api.search_orders(
                batch, orders_query(resume or window.start, window.end)
            ),
            resume_column="created_at",
        )


def _listing(path: str, list_key: str) -> DayQueries:
    """GET listings filtered on created_at per location (payments, refunds, payouts), oldest first."""

    def queries(api: SquareApi, window: Window, location_ids: list[str]) -> Iterator[Query]:
        for location_id in location_ids:
            yield Query(
                lambda resume, location_id=location_id: api.list_objects(
                    path, _listing_params(api, window, location_id, resume), list_key
                ),
                resume_column="created_at",
            )

    return queries


def _listing_params(
    api: SquareApi, window: Window, location_id: str, resume: datetime | None
) -> dict[str, Any]:
    return {
        "begin_time": square_time(resume or window.start),
        "end_time": square_time(window.end),
        "sort_order": "ASC",
        "location_id": location_id,
        "limit": api.list_page_limit,
    }


# -- store operations ---------------------------------------------------------------------------------------------


def _inventory_changes(api: SquareApi, window: Window, location_ids: list[str]) -> Iterator[Query]:
    """Every change Square recorded since the range began, as recorded now: the changes that occurred in the
    range, late uploads included (and later days' changes, which the pull files under their own days)."""
    body = {
        "location_ids": location_ids,
        "updated_after": square_time(window.start - CLOCK_SKEW),
        "limit": INVENTORY_PAGE_LIMIT,
    }
    yield Query(lambda _: api.search("v2/inventory/changes/batch-retrieve", body, "changes"))


def _timecards(api: SquareApi, window: Window, location_ids: list[str]) -> Iterator[Query]:
    def pages(resume: datetime | None) -> Pages:
        search = {
            "filter": {
                "location_ids": location_ids,
                "start": _time_range(resume or window.start, window.end),
            },
            "sort": {"field": "START_AT", "order": "ASC"},
        }
        return api.search(
            "v2/labor/timecards/search", {"query": search, "limit": TIMECARDS_PAGE_LIMIT}, "timecards"
        )

    yield Query(pages, resume_column="start_at")


def _drawer_shift_summaries(
    api: SquareApi, window: Window, location_id: str, resume: datetime | None
) -> Pages:
    """The shifts opened in the window (``end_time`` is exclusive here), oldest first, as summaries."""
    params = {
        "location_id": location_id,
        "begin_time": square_time(resume or window.start),
        "end_time": square_time(window.end),
        "sort_order": "ASC",
        "limit": DRAWER_SHIFTS_PAGE_LIMIT,
    }
    return api.list_objects("v2/cash-drawers/shifts", params, "cash_drawer_shifts")


def _cash_drawer_shifts(api: SquareApi, window: Window, location_ids: list[str]) -> Iterator[Query]:
    """Each shift in full (the listing's summary lacks cash sales, refunds, paid in and out)."""

    def pages(location_id: str, resume: datetime | None) -> Pages:
        for summaries in _drawer_shift_summaries(api, window, location_id, resume):
            yield [_drawer_shift(api, location_id, summary) for summary in summaries]

    for location_id in location_ids:
        yield Query(
            lambda resume, location_id=location_id: pages(location_id, resume), resume_column="opened_at"
        )


def _drawer_shift(api: SquareApi, location_id: str, summary: dict[str, Any]) -> dict[str, Any]:
    shift_id = summary.get("id")
    if not isinstance(shift_id, str) or not shift_id:
        return summary  # lands as it is, without an id: the blocking no_null_keys check names it
    return api.retrieve(
        f"v2/cash-drawers/shifts/{shift_id}", "cash_drawer_shift", {"location_id": location_id}
    )


def _cash_drawer_shift_events(api: SquareApi, window: Window, location_ids: list[str]) -> Iterator[Query]:
    for location_id in location_ids:
        for summaries in _drawer_shift_summaries(api, window, location_id, None):
            for shift_id in _ids(summaries):
                yield Query(
                    lambda _, shift_id=shift_id, location_id=location_id: api.list_objects(
                        f"v2/cash-drawers/shifts/{shift_id}/events",
                        {"location_id": location_id, "limit": DRAWER_SHIFTS_PAGE_LIMIT},
                        "cash_drawer_shift_events",
                    ),
                    context={"cash_drawer_shift_id": shift_id, "location_id": location_id},
                )


def _ids(objects: list[dict[str, Any]]) -> list[str]:
    return [obj["id"] for obj in objects if isinstance(obj.get("id"), str) and obj["id"]]


# -- money --------------------------------------------------------------------------------------------------------


def _payout_entries(api: SquareApi, window: Window, location_ids: list[str]) -> Iterator[Query]:
    for location_id in location_ids:
        for payouts in api.list_objects(
            "v2/payouts", _listing_params(api, window, location_id, None), "payouts"
        ):
            for payout_id in _ids(payouts):
                yield Query(
                    lambda _, payout_id=payout_id: api.list_objects(
                        f"v2/payouts/{payout_id}/payout-entries",
                        {"sort_order": "ASC", "limit": api.list_page_limit},
                        "payout_entries",
                    ),
                    context={"location_id": location_id},
                )


def _gift_card_activities(api: SquareApi, window: Window, location_ids: list[str]) -> Iterator[Query]:
    """Every location's activities at once (no location_id: Square answers for all)."""

    def pages(resume: datetime | None) -> Pages:
        params = {
            "begin_time": square_time(resume or window.start),
            "end_time": square_time(window.end),
            "sort_order": "ASC",
            "limit": api.list_page_limit,
        }
        return api.list_objects("v2/gift-cards/activities", params, "gift_card_activities")

    yield Query(pages, resume_column="created_at")


def _loyalty_events(api: SquareApi, window: Window, location_ids: list[str]) -> Iterator[Query]:
    """Square lists loyalty events newest first: a rejected cursor resumes by ending at the oldest received."""

    def pages(resume: datetime | None) -> Pages:
        created = _time_range(window.start, resume or window.end)
        body = {
            "query": {"filter": {"date_time_filter": {"created_at": created}}},
            "limit": LOYALTY_EVENTS_PAGE_LIMIT,
        }
        return api.search("v2/loyalty/events/search", body, "events")

    yield Query(pages, resume_column="created_at")


# -- snapshots ----------------------------------------------------------------------------------------------------


def _invoices(api: SquareApi, location_ids: list[str]) -> Iterator[Query]:
    """Square searches the invoices of one location at a time."""
    for location_id in location_ids:
        body = {"query": {"filter": {"location_ids": [location_id]}}, "limit": SEARCH_PAGE_LIMIT}
        yield Query(lambda _, body=body: api.search("v2/invoices/search", body, "invoices"))


def _inventory_counts(api: SquareApi, location_ids: list[str]) -> Iterator[Query]:
    body = {"location_ids": location_ids, "limit": INVENTORY_PAGE_LIMIT}
    yield Query(lambda _: api.search("v2/inventory/counts/batch-retrieve", body, "counts"))


def _snapshot(call: Callable[[SquareApi], Pages]) -> SnapshotQueries:
    """A snapshot read by one query (from the start again if Square rejects its cursor)."""
    return lambda api, location_ids: [Query(lambda _: call(api))]


# -- changes ------------------------------------------------------------------------------------------------------


def _catalog_changes(api: SquareApi, since: datetime) -> Iterator[Query]:
    """Objects changed strictly after ``since``; a deleted object comes back with ``is_deleted`` (its
    ``updated_at`` is the deletion)."""
    body = {
        "object_types": CATALOG_TYPES.split(","),
        "begin_time": square_time(since),
        "include_deleted_objects": True,
        "limit": CATALOG_SEARCH_PAGE_LIMIT,
    }
    yield Query(lambda _: api.search("v2/catalog/search", body, "objects"))


def _customer_changes(api: SquareApi, since: datetime) -> Iterator[Query]:
    """Profiles created or updated since ``since``. Square keeps no trace of a deleted profile: deletions show
    as ids missing from the next full listing."""
    body = {
        "query": {"filter": {"updated_at": {"start_at": square_time(since)}}},
        "limit": CUSTOMERS_SEARCH_PAGE_LIMIT,
    }
    yield Query(lambda _: api.search("v2/customers/search", body, "customers"))


CHANGE_SOURCES: dict[str, ChangeSource] = {
    "catalog": ChangeSource(
        "POST /v2/catalog/search (begin_time, include_deleted_objects)", _catalog_changes
    ),
    "customers": ChangeSource("POST /v2/customers/search (updated_at filter)", _customer_changes),
}

DAILY_SOURCES: dict[str, DailySource] = {
    "orders": DailySource("POST /v2/orders/search", _orders),
    "payments": DailySource("GET /v2/payments", _listing("v2/payments", "payments")),
    "refunds": DailySource("GET /v2/refunds", _listing("v2/refunds", "refunds")),
    "inventory_changes": DailySource(
        "POST /v2/inventory/changes/batch-retrieve", _inventory_changes, range_scan=True
    ),
    "timecards": DailySource("POST /v2/labor/timecards/search", _timecards),
    "cash_drawer_shifts": DailySource(
        "GET /v2/cash-drawers/shifts (+ GET /v2/cash-drawers/shifts/{shift_id})", _cash_drawer_shifts
    ),
    "cash_drawer_shift_events": DailySource(
        "GET /v2/cash-drawers/shifts/{shift_id}/events", _cash_drawer_shift_events
    ),
    "payouts": DailySource("GET /v2/payouts", _listing("v2/payouts", "payouts")),
    "payout_entries": DailySource("GET /v2/payouts/{payout_id}/payout-entries", _payout_entries),
    "gift_card_activities": DailySource("GET /v2/gift-cards/activities", _gift_card_activities),
    "loyalty_events": DailySource("POST /v2/loyalty/events/search", _loyalty_events),
}

SNAPSHOT_SOURCES: dict[str, SnapshotSource] = {
    "locations": SnapshotSource("GET /v2/locations", _snapshot(lambda api: iter([api.list_locations()]))),
    "catalog": SnapshotSource(
        "GET /v2/catalog/list",
        _snapshot(lambda api: api.list_objects("v2/catalog/list", {"types": CATALOG_TYPES}, "objects")),
    ),
    "customers": SnapshotSource(
        "GET /v2/customers",
        _snapshot(lambda api: api.list_objects("v2/customers", {"limit": api.list_page_limit}, "customers")),
    ),
    "team_members": SnapshotSource(
        "POST /v2/team-members/search",
        _snapshot(lambda api: api.search("v2/team-members/search", {"limit": SEARCH_PAGE_LIMIT}, "team_members")),
    ),
    "inventory_counts": SnapshotSource(
        "POST /v2/inventory/counts/batch-retrieve", _inventory_counts, per_location=True
    ),
    "disputes": SnapshotSource(
        "GET /v2/disputes", _snapshot(lambda api: api.list_objects("v2/disputes", {}, "disputes"))
    ),
    "gift_cards": SnapshotSource(
        "GET /v2/gift-cards",
        _snapshot(lambda api: api.list_objects("v2/gift-cards", {"limit": SEARCH_PAGE_LIMIT}, "gift_cards")),
    ),
    "loyalty_accounts": SnapshotSource(
        "POST /v2/loyalty/accounts/search",
        _snapshot(
            lambda api: api.search("v2/loyalty/accounts/search", {"limit": SEARCH_PAGE_LIMIT}, "loyalty_accounts")
        ),
    ),
    "invoices": SnapshotSource("POST /v2/invoices/search", _invoices, per_location=True),
}  # fmt: skip
