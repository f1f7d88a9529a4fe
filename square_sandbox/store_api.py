"""The store-operations endpoints: inventory counts and changes, team members, timecards, cash drawer shifts."""

from __future__ import annotations

import datetime as dt

import orjson

from square_sandbox.clock import Clock
from square_sandbox.drawers import Drawers, DrawerShift, drawer_origin
from square_sandbox.errors import bad_request, not_found
from square_sandbox.inventory import STATES, Inventory, StockChange
from square_sandbox.labor import timecards
from square_sandbox.listing import (
    Listed,
    body_key,
    business_days,
    keyset_for,
    keyset_page,
    limit_param,
    locations_param,
    offset_page,
    query_key,
    resume_offset,
    string_list,
    time_window,
)
from square_sandbox.params import QueryParams, is_ascending, json_object, location_param, single, time_param
from square_sandbox.store import Store
from square_sandbox.timeutil import EARLIEST_US, US_PER_DAY, format_us
from square_sandbox.world import Location, World

INVENTORY_STATES = {"CUSTOM", "IN_STOCK", "SOLD", "RETURNED_BY_CUSTOMER", "RESERVED_FOR_SALE", "SOLD_ONLINE",
                    "ORDERED_FROM_VENDOR", "RECEIVED_FROM_VENDOR", "IN_TRANSIT_TO", "NONE", "WASTE", "UNLINKED_RETURN",
                    "COMPOSED", "DECOMPOSED", "SUPPORTED_BY_NEWER_VERSION", "IN_TRANSIT"}  # fmt: skip
TIMECARD_SORT_FIELDS = {"START_AT", "END_AT", "CREATED_AT", "UPDATED_AT"}


def _enum_list(request: dict, field: str, allowed: set[str]) -> list[str] | None:
    values = string_list(request, field)
    for value in values or ():
        if value not in allowed:
            raise bad_request("INVALID_ENUM_VALUE", f"Unknown {field[:-1]} {value!r}.", field)
    return values


class StoreEndpoints:
    def __init__(self, world: World, store: Store, clock: Clock) -> None:
        self.world = world
        self.clock = clock
        self.inventory = Inventory(world, store)
        self.drawers = Drawers(world, store)
        self.routes = {
            ("POST", "/v2/inventory/counts/batch-retrieve"): self.inventory_counts,
            ("POST", "/v2/inventory/changes/batch-retrieve"): self.inventory_changes,
            ("POST", "/v2/team-members/search"): self.search_team_members,
            ("POST", "/v2/labor/timecards/search"): self.search_timecards,
            ("GET", "/v2/cash-drawers/shifts"): self.list_cash_drawer_shifts,
            ("GET", "/v2/cash-drawers/shifts/{shift_id}"): self.retrieve_cash_drawer_shift,
            ("GET", "/v2/cash-drawers/shifts/{shift_id}/events"): self.list_cash_drawer_shift_events,
        }

    # -- inventory -----------------------------------------------------------------------------------------

    def inventory_counts(self, query: QueryParams, body: bytes, stale_cursor: bool) -> bytes:
        request = json_object(body)
        wanted = string_list(request, "catalog_object_ids")
        states = _enum_list(request, "states", INVENTORY_STATES) or ["IN_STOCK"]
        updated_after = (
            time_param(request["updated_after"], "updated_after") if request.get("updated_after") else None
        )
        limit = limit_param(request.get("limit"), 1000, 1000)
        now = self.clock.now()
        counts = []
        for location in locations_param(self.world, request.get("location_ids"), "location_ids"):
            today = location.local_date(now)
            stock = self.inventory.stock_before(location, today + dt.timedelta(days=1), now)
            for variation in self.world.catalog.variations:
                if wanted is not None and variation.id not in wanted:
                    continue
                row = stock.get(variation.id, [0, 0, 0, EARLIEST_US])
                for state in states:
                    quantity = row[STATES.index(state)] if state in STATES else 0
                    if (quantity or state == "IN_STOCK") and (
                        updated_after is None or row[3] >= updated_after
                    ):
                        counts.append(_count(location, variation.id, state, quantity, row[3]))
        paging = resume_offset(body_key(request), request.get("cursor"), stale_cursor)
        return offset_page(counts, "counts", limit, paging)

    def inventory_changes(self, query: QueryParams, body: bytes, stale_cursor: bool) -> bytes:
        request = json_object(body)
        wanted = string_list(request, "catalog_object_ids")
        types = _enum_list(request, "types", {"PHYSICAL_COUNT", "ADJUSTMENT", "TRANSFER"})
        states = _enum_list(request, "states", INVENTORY_STATES)
        limit = limit_param(request.get("limit"), 100, 1000)
        keyset = keyset_for(body_key(request), request.get("cursor"), stale_cursor, self.clock.now())
        low, high = time_window(request.get("updated_after"), request.get("updated_before"),
                                ("updated_after", "updated_before"), EARLIEST_US, keyset.open_end)  # fmt: skip
        now = keyset.now
        items = []
        for location in locations_param(self.world, request.get("location_ids"), "location_ids"):
            changes = list(self.inventory.opening_counts(location))
            for day in business_days(self.world, location, low - 12 * US_PER_DAY, high, now):
                changes += self.inventory.day_changes(location, day)
            for change in changes:
                if not (low <= change.created_at <= min(high, now)):
                    continue
                if not _change_matches(change, wanted, types, states):
                    continue
                items.append(Listed(change.created_at, change.id, change.body()))
        return keyset_page(items, "changes", keyset, ascending=True, limit=limit)

    # -- team and labor ------------------------------------------------------------------------------------

    def search_team_members(self, query: QueryParams, body: bytes, stale_cursor: bool) -> bytes:
        request = json_object(body)
        filters = (request.get("query") or {}).get("filter") or {}
        limit = limit_param(request.get("limit"), 100, 200)
        locations = {
            location.id
            for location in locations_param(
                self.world, filters.get("location_ids"), "query.filter.location_ids"
            )
        }
        status = filters.get("status")
        if status not in (None, "ACTIVE", "INACTIVE"):
            raise bad_request("INVALID_ENUM_VALUE", f"Unknown status {status!r}.", "query.filter.status")
        members = [
            member.body()
            for location in self.world.locations if location.id in locations
            for member in self.world.team[location.id]
            if status in (None, "ACTIVE") and filters.get("is_owner") is not True
        ]  # fmt: skip
        paging = resume_offset(body_key(request), request.get("cursor"), stale_cursor)
        return offset_page(members, "team_members", limit, paging)

    def search_timecards(self, query: QueryParams, body: bytes, stale_cursor: bool) -> bytes:
        request = json_object(body)
        search = request.get("query") or {}
        filters, sort = search.get("filter") or {}, search.get("sort") or {}
        field = sort.get("field", "START_AT")
        if field not in TIMECARD_SORT_FIELDS:
            raise bad_request("INVALID_ENUM_VALUE", f"Unknown sort field {field!r}.", "query.sort.field")
        ascending = is_ascending(sort.get("order"), "query.sort.order", "ASC")
        limit = limit_param(request.get("limit"), 200, 200)
        keyset = keyset_for(body_key(request), request.get("cursor"), stale_cursor, self.clock.now())
        now = keyset.now
        start = _time_range(filters.get("start"), "query.filter.start")
        end = _time_range(filters.get("end"), "query.filter.end")
        members = set(string_list(filters, "team_member_ids") or ())
        status = filters.get("status")
        items = []
        for location in locations_param(self.world, filters.get("location_ids"), "query.filter.location_ids"):
            for day in business_days(self.world, location, start[0] - US_PER_DAY, min(start[1], end[1]), now):
                for card in timecards(self.world, location, day, now):
                    shift = card.shift
                    if (members and shift.member.id not in members) or (
                        status and card.status(now) != status
                    ):
                        continue
                    if not start[0] <= shift.start <= start[1] or not _ended_within(shift.end, end, now):
                        continue
                    if not _on_workday(card, filters.get("workday")):
                        continue
                    items.append(Listed(card.sort_value(field, now), card.id, card.body(now)))
        return keyset_page(items, "timecards", keyset, ascending, limit)

    # -- cash drawers --------------------------------------------------------------------------------------

    def list_cash_drawer_shifts(self, query: QueryParams, body: bytes, stale_cursor: bool) -> bytes:
        location = self._drawer_location(query)
        ascending = is_ascending(single(query, "sort_order"), "sort_order", "ASC")
        limit = limit_param(single(query, "limit"), 200, 1000)
        keyset = keyset_for(query_key(query), single(query, "cursor"), stale_cursor, self.clock.now())
        low, high = time_window(single(query, "begin_time"), single(query, "end_time"), ("begin_time", "end_time"),
                                EARLIEST_US, keyset.open_end)  # fmt: skip
        items = [
            Listed(shift.opened, shift.id, shift.summary(keyset.now))
            for day in business_days(self.world, location, low, high, keyset.now)
            for shift in self.drawers.shifts(location, day)
            if low <= shift.opened < high and shift.opened <= keyset.now
        ]  # fmt: skip
        return keyset_page(items, "cash_drawer_shifts", keyset, ascending, limit)

    def retrieve_cash_drawer_shift(self, query: QueryParams, body: bytes, stale_cursor: bool) -> bytes:
        now = self.clock.now()
        shift = self._drawer_shift(query, now)
        return orjson.dumps({"cash_drawer_shift": shift.body(now)})

    def list_cash_drawer_shift_events(self, query: QueryParams, body: bytes, stale_cursor: bool) -> bytes:
        now = self.clock.now()
        shift = self._drawer_shift(query, now)
        limit = limit_param(single(query, "limit"), 200, 1000)
        events = [event.body() for event in shift.events_as_of(now)]
        paging = resume_offset([shift.id], single(query, "cursor"), stale_cursor)
        return offset_page(events, "cash_drawer_shift_events", limit, paging)

    def _drawer_location(self, query: QueryParams) -> Location:
        location_id = single(query, "location_id")
        if not location_id:
            raise bad_request("MISSING_REQUIRED_PARAMETER", "`location_id` is required.", "location_id")
        return location_param(self.world, location_id, "location_id")

    def _drawer_shift(self, query: QueryParams, now: int) -> DrawerShift:
        location = self._drawer_location(query)
        shift_id = single(query, "shift_id") or ""
        origin = drawer_origin(shift_id)
        if origin is not None and origin[0] == location.index and self.world.config.start_date <= origin[1]:
            shifts = self.drawers.shifts(location, origin[1]) if origin[1] <= location.local_date(now) else []
            found = next((s for s in shifts if s.id == shift_id and s.opened <= now), None)
            if found is not None:
                return found
        raise not_found(f"Cash drawer shift `{shift_id}` not found at location `{location.id}`.", "shift_id")


def _count(location: Location, variation_id: str, state: str, quantity: int, calculated_at: int) -> dict:
    return {
        "catalog_object_id": variation_id,
        "catalog_object_type": "ITEM_VARIATION",
        "state": state,
        "location_id": location.id,
        "quantity": str(quantity),
        "calculated_at": format_us(calculated_at),
        "is_estimated": False,
    }


def _change_matches(
    change: StockChange, wanted: list[str] | None, types: list[str] | None, states: list[str] | None
) -> bool:
    if wanted is not None and change.variation_id not in wanted:
        return False
    if types is not None and change.kind not in types:
        return False
    return states is None or change.to_state in states or change.from_state in states


def _time_range(value: object, field: str) -> tuple[int, int]:
    """A TimeRange (``start_at`` / ``end_at``, both optional) as [low, high]."""
    if value is None:
        return EARLIEST_US, 2**62
    if not isinstance(value, dict):
        raise bad_request("EXPECTED_OBJECT", f"`{field}` must be an object.", field)
    return time_window(value.get("start_at"), value.get("end_at"), (f"{field}.start_at", f"{field}.end_at"),
                       EARLIEST_US, 2**62)  # fmt: skip


def _ended_within(end: int, window: tuple[int, int], now: int) -> bool:
    if window == (EARLIEST_US, 2**62):
        return True
    return end <= now and window[0] <= end <= window[1]


def _on_workday(card, workday: object) -> bool:
    """The ``workday`` filter: the card's local start date, end date or span meets the date range."""
    if not workday:
        return True
    date_range = workday.get("date_range") or {}
    first = dt.date.fromisoformat(date_range.get("start_date", "0001-01-01"))
    last = dt.date.fromisoformat(date_range.get("end_date", "9999-12-31"))
    starts, ends = (card.location.local_date(t) for t in (card.shift.start, card.shift.end))
    match = workday.get("match_timecards_by", "START_AT")
    if match == "START_AT":
        return first <= starts <= last
    if match == "END_AT":
        return first <= ends <= last
    return starts <= last and ends >= first
