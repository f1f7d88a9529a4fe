"""The reference-data endpoints: the catalog (ListCatalog, SearchCatalogObjects) and the customer directory
(ListCustomers, SearchCustomers), as of the clock, built page by page however large they are."""

from __future__ import annotations

import orjson

from square_sandbox.cache import BoundedCache
from square_sandbox.catalog_history import TOP_LEVEL, Position
from square_sandbox.clock import Clock
from square_sandbox.cursors import encode_cursor, fingerprint, resume
from square_sandbox.customers import Customer
from square_sandbox.errors import bad_request
from square_sandbox.listing import body_key, limit_param, offset_page, query_key, resume_offset
from square_sandbox.params import QueryParams, int_param, is_ascending, json_object, single, time_param
from square_sandbox.timeutil import format_us
from square_sandbox.world import World

CATALOG_TYPES = {
    "ITEM", "IMAGE", "CATEGORY", "ITEM_VARIATION", "TAX", "DISCOUNT", "MODIFIER_LIST", "MODIFIER", "PRICING_RULE",
    "PRODUCT_SET", "TIME_PERIOD", "MEASUREMENT_UNIT", "SUBSCRIPTION_PLAN_VARIATION", "ITEM_OPTION",
    "ITEM_OPTION_VAL", "CUSTOM_ATTRIBUTE_DEFINITION", "QUICK_AMOUNTS_SETTINGS", "SUBSCRIPTION_PLAN",
    "AVAILABILITY_PERIOD",
}  # fmt: skip
CATALOG_PAGE = 100  # ListCatalog's page
CUSTOMER_SORTS = {None, "DEFAULT", "CREATED_AT"}


class ReferenceEndpoints:
    def __init__(self, world: World, clock: Clock) -> None:
        self.world = world
        self.clock = clock
        self.history = world.catalog_history
        self.directory = world.directory
        self._selections = BoundedCache(4)  # (customer query, now) -> the profiles it selects, in order
        # The drift switch: an object of a type clients may not know, put in every catalog page.
        self.surprise: dict | None = None
        self.routes = {
            ("GET", "/v2/catalog/list"): self.list_catalog,
            ("POST", "/v2/catalog/search"): self.search_catalog,
            ("GET", "/v2/customers"): self.list_customers,
            ("POST", "/v2/customers/search"): self.search_customers,
        }

    # -- catalog -------------------------------------------------------------------------------------------

    def list_catalog(self, query: QueryParams, body: bytes, stale_cursor: bool) -> bytes:
        """Objects that exist (not deleted), in listing order; variations and modifiers on their own only when
        asked for by type."""
        types_text = single(query, "types")
        wanted = (
            _catalog_types([part.strip().upper() for part in types_text.split(",") if part.strip()], "types")
            if types_text
            else None
        )
        key = fingerprint(sorted(wanted or []))
        start = _position(single(query, "cursor"), key, stale_cursor)
        now = self.clock.now()
        objects, following = self.history.page(wanted or TOP_LEVEL, now, start, CATALOG_PAGE)
        return self._catalog_page(objects, following, key, {})

    def search_catalog(self, query: QueryParams, body: bytes, stale_cursor: bool) -> bytes:
        """SearchCatalogObjects by ``object_types``, ``begin_time`` (changed after it) and
        ``include_deleted_objects``; ``latest_time`` says when the catalog last changed."""
        request = json_object(body)
        if request.get("query"):
            raise bad_request("INVALID_VALUE", "The sandbox searches the catalog by object_types, begin_time and "
                              "include_deleted_objects only; send no `query`.", "query")  # fmt: skip
        types = request.get("object_types")
        if types is not None and not isinstance(types, list):
            raise bad_request("EXPECTED_ARRAY", "`object_types` must be an array.", "object_types")
        wanted = _catalog_types(types, "object_types") if types else TOP_LEVEL
        include_deleted = _boolean(request, "include_deleted_objects")
        _boolean(request, "include_related_objects")
        begin = time_param(request["begin_time"], "begin_time") if request.get("begin_time") else None
        limit = limit_param(request.get("limit"), 100, 1000, cap=True)
        key = fingerprint(body_key(request))
        start = _position(request.get("cursor"), key, stale_cursor)
        now = self.clock.now()
        objects, following = self.history.page(wanted, now, start, limit, begin, include_deleted)
        return self._catalog_page(
            objects, following, key, {"latest_time": format_us(self.history.latest_time(now))}
        )

    def _catalog_page(self, objects: list[dict], following: Position | None, key: str, extra: dict) -> bytes:
        if self.surprise is not None and objects:
            objects = [*objects, self.surprise]
        response: dict = {}
        if objects:
            response["objects"] = objects
        if following is not None:
            response["cursor"] = encode_cursor(key, {"u": following.unit, "s": following.sub})
        return orjson.dumps({**response, **extra})

    # -- customers -----------------------------------------------------------------------------------------

    def list_customers(self, query: QueryParams, body: bytes, stale_cursor: bool) -> bytes:
        limit = limit_param(single(query, "limit"), 100, 100)
        field, order = single(query, "sort_field"), single(query, "sort_order")
        _check_sort(field, order, "sort_field", "sort_order")
        count = (single(query, "count") or "false").lower() == "true"
        paging = resume_offset(query_key(query), single(query, "cursor"), stale_cursor)
        customers = self._selected(paging[0], {}, field, order)
        return self._customer_page(customers, limit, paging, count)

    def search_customers(self, query: QueryParams, body: bytes, stale_cursor: bool) -> bytes:
        request = json_object(body)
        limit = limit_param(request.get("limit"), 100, 100)
        search = request.get("query") or {}
        filters, sort = search.get("filter") or {}, search.get("sort") or {}
        _check_sort(sort.get("field"), sort.get("order"), "query.sort.field", "query.sort.order")
        for field in ("created_at", "updated_at"):
            if filters.get(field):
                _time_range(filters[field], f"query.filter.{field}")
        paging = resume_offset(search, request.get("cursor"), stale_cursor)
        customers = self._selected(paging[0], filters, sort.get("field"), sort.get("order"))
        return self._customer_page(customers, limit, paging, bool(request.get("count")))

    def _selected(
        self, query_fingerprint: str, filters: dict, field: object, order: object
    ) -> list[Customer]:
        """The profiles a customer query selects, in its order (kept while its pages are read at one time)."""
        now = self.clock.now()
        key = (query_fingerprint, now)
        found = self._selections.get(key)
        if found is None:
            found = self.directory.existing(now)
            for name, moment in (
                ("created_at", lambda c: c.created),
                ("updated_at", lambda c: c.updated(now)),
            ):
                if filters.get(name):
                    low, high = _time_range(filters[name], f"query.filter.{name}")
                    found = [c for c in found if low <= moment(c) <= high]
            sources = (filters.get("creation_source") or {}).get("values")
            if sources:
                found = [c for c in found if c.creation_source in sources]
            found = _sorted(found, field, order)
            self._selections.put(key, found)
        return found

    def _customer_page(
        self, customers: list[Customer], limit: int, paging: tuple[str, int], count: bool
    ) -> bytes:
        now = self.clock.now()
        extra = {"count": len(customers)} if count else None
        return offset_page(
            customers, "customers", limit, paging, extra, render=lambda customer: customer.body(now)
        )


def _catalog_types(types: list, field: str) -> set[str]:
    unknown = {str(value) for value in types} - CATALOG_TYPES
    if unknown:
        raise bad_request("INVALID_ENUM_VALUE", f"Unknown catalog object type(s): {sorted(unknown)}.", field)
    return set(types)


def _boolean(request: dict, field: str) -> bool:
    value = request.get(field, False)
    if not isinstance(value, bool):
        raise bad_request("EXPECTED_BOOLEAN", f"`{field}` must be true or false.", field)
    return value


def _position(cursor: object, key: str, stale_cursor: bool) -> Position:
    if cursor is None:
        return Position(0)
    state = resume(cursor, key, stale_cursor)
    return Position(int_param(state.get("u", 0), "cursor"), int_param(state.get("s", 0), "cursor"))


def _time_range(time_range: dict, path: str) -> tuple[int, int]:
    low = time_param(time_range["start_at"], path) if time_range.get("start_at") else -(2**62)
    high = time_param(time_range["end_at"], path) if time_range.get("end_at") else 2**62
    return low, high


def _check_sort(field: object, order: object, field_name: str, order_name: str) -> None:
    if field not in CUSTOMER_SORTS:
        raise bad_request("INVALID_ENUM_VALUE", f"Unknown sort field {field!r}.", field_name)
    is_ascending(order, order_name, "ASC")


def _sorted(customers: list[Customer], field: object, order: object) -> list[Customer]:
    """DEFAULT: by given and family name; CREATED_AT: by creation (ids break ties)."""
    ascending = order != "DESC"
    if field == "CREATED_AT":
        ordered = sorted(customers, key=lambda c: (c.created, c.id))
    else:
        ordered = sorted(customers, key=lambda c: (c.given_name, c.family_name, c.id))
    return ordered if ascending else ordered[::-1]


def surprise_object(object_type: object, world: World) -> dict | None:
    """A catalog object of a type a client may not handle (the admin drift switch); None switches it off."""
    if object_type is None:
        return None
    data = {
        "QUICK_AMOUNTS_SETTINGS": ("quick_amounts_settings_data", {"option": "AUTO", "eligible_for_auto_amounts": True,
            "amounts": [{"type": "QUICK_AMOUNT_TYPE_AUTO", "amount": {"amount": 500, "currency": "USD"}}]}),
        "TIME_PERIOD": ("time_period_data", {"event": "BEGIN:VEVENT\nDTSTART:20261003T090000\nDURATION:PT8H\n"
                                             "RRULE:FREQ=WEEKLY;BYDAY=SA\nEND:VEVENT"}),
        "SUBSCRIPTION_PLAN": ("subscription_plan_data", {"name": "Monthly gift box", "all_items": False}),
    }  # fmt: skip
    if object_type not in data:
        raise ValueError(f"catalog_object_type must be one of {sorted(data)} (or null), got {object_type!r}")
    key, value = data[object_type]
    stamp = world.catalog.objects[0]
    return {"type": object_type, "id": f"SURPRISE{object_type.replace('_', '')}"[:24], "updated_at": stamp["updated_at"],
            "version": stamp["version"], "is_deleted": False, "present_at_all_locations": True, key: value}  # fmt: skip
