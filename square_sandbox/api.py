"""The Square Connect v2 endpoints the platform uses, answered as of the sandbox clock."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import orjson

from square_sandbox.clock import Clock
from square_sandbox.cursors import Keyset, encode_cursor, fingerprint, resume
from square_sandbox.errors import bad_request
from square_sandbox.params import (
    QueryParams,
    int_param,
    is_ascending,
    json_object,
    location_param,
    single,
    sort_field,
    time_param,
)
from square_sandbox.records import Record
from square_sandbox.sales import SOURCE_NAME
from square_sandbox.store import PageQuery, Store
from square_sandbox.timeutil import EARLIEST_US, US_PER_DAY, format_us, parse_rfc3339
from square_sandbox.world import Location, World

ORDER_STATES = {"OPEN", "COMPLETED", "CANCELED", "DRAFT"}
ORDER_SORT_FIELDS = {"CREATED_AT": "created_at", "UPDATED_AT": "updated_at", "CLOSED_AT": "closed_at"}
PAYMENT_SORT_FIELDS = {
    "CREATED_AT": "created_at",
    "UPDATED_AT": "updated_at",
    "OFFLINE_CREATED_AT": "offline_created_at",
}
REFUND_SORT_FIELDS = {"CREATED_AT": "created_at", "UPDATED_AT": "updated_at"}
CATALOG_TYPES = {
    "ITEM", "IMAGE", "CATEGORY", "ITEM_VARIATION", "TAX", "DISCOUNT", "MODIFIER_LIST", "MODIFIER", "PRICING_RULE",
    "PRODUCT_SET", "TIME_PERIOD", "MEASUREMENT_UNIT", "SUBSCRIPTION_PLAN_VARIATION", "ITEM_OPTION",
    "ITEM_OPTION_VAL", "CUSTOM_ATTRIBUTE_DEFINITION", "QUICK_AMOUNTS_SETTINGS", "SUBSCRIPTION_PLAN",
    "AVAILABILITY_PERIOD",
}  # fmt: skip
MAX_ORDER_LOCATIONS = 10
EMPTY = b"{}"

Ranges = dict[str, tuple[int, int]]  # field -> [low, high], both ends included
Predicate = Callable[[Record], bool]
Endpoint = Callable[[QueryParams, bytes, bool], bytes]  # (query, body, stale_cursor) -> JSON answer


@dataclasses.dataclass
class PageRequest:
    """One page of a keyset-paged search or listing, validated."""

    keyset: Keyset
    sort_field: str
    ascending: bool
    limit: int
    ranges: Ranges


class SquareEndpoints:
    def __init__(self, world: World, store: Store, clock: Clock) -> None:
        self.world = world
        self.store = store
        self.clock = clock
        self.routes: dict[tuple[str, str], Endpoint] = {
            ("GET", "/v2/locations"): self.list_locations,
            ("POST", "/v2/orders/search"): self.search_orders,
            ("POST", "/v2/orders/batch-retrieve"): self.batch_retrieve_orders,
            ("GET", "/v2/payments"): self.list_payments,
            ("GET", "/v2/refunds"): self.list_refunds,
            ("GET", "/v2/catalog/list"): self.list_catalog,
            ("GET", "/v2/customers"): self.list_customers,
            ("POST", "/v2/customers/search"): self.search_customers,
        }

    def _page(
        self, kind: str, locations: list[Location], request: PageRequest, predicate: Predicate | None
    ) -> tuple[list[Record], str | None]:
        """The records of one page and the cursor to the next (None on the last page)."""
        keyset = request.keyset
        page = self.store.page(
            PageQuery(
                kind=kind,
                locations=locations,
                sort_field=request.sort_field,
                ascending=request.ascending,
                ranges=request.ranges,
                now=keyset.now,
                after=keyset.after,
                limit=request.limit,
                predicate=predicate,
            )
        )
        if not page.has_more:
            return page.records, None
        last = page.records[-1]
        return page.records, keyset.next_cursor(last.field(request.sort_field), last.id)

    # -- locations -----------------------------------------------------------------------------------------

    def list_locations(self, query: QueryParams, body: bytes, stale_cursor: bool) -> bytes:
        return orjson.dumps({"locations": [location.body for location in self.world.locations]})

    # -- orders --------------------------------------------------------------------------------------------

    def search_orders(self, query: QueryParams, body: bytes, stale_cursor: bool) -> bytes:
        request = json_object(body)
        location_ids = request.get("location_ids")
        locations = self._order_locations(location_ids)
        limit = _order_limit(int_param(request.get("limit", 500), "limit"))
        return_entries = request.get("return_entries", False)
        if not isinstance(return_entries, bool):
            raise bad_request("EXPECTED_BOOLEAN", "`return_entries` must be a boolean.", "return_entries")
        search, filters, sort = _order_query(request.get("query"))
        field = sort_field(sort.get("sort_field", "CREATED_AT"), ORDER_SORT_FIELDS, "query.sort.sort_field")
        ascending = is_ascending(sort.get("sort_order"), "query.sort.sort_order", "DESC")
        key = fingerprint([location_ids, search, return_entries])
        state = resume(request["cursor"], key, stale_cursor) if "cursor" in request else {}
        keyset = Keyset(key, state, self.clock.now())
        ranges = _order_time_range(filters, field, keyset.open_end)
        page_request = PageRequest(keyset, field, ascending, limit, ranges)
        records, cursor = self._page("order", locations, page_request, _order_filters(filters))
        if return_entries:
            return _join("order_entries", [_order_entry(record) for record in records], cursor)
        return _join("orders", [record.body for record in records], cursor)

    def _order_locations(self, location_ids: object) -> list[Location]:
        if not isinstance(location_ids, list) or not location_ids:
            raise bad_request(
                "MISSING_REQUIRED_PARAMETER", "At least one location ID is required.", "location_ids"
            )
        if len(location_ids) > MAX_ORDER_LOCATIONS:
            raise bad_request(
                "ARRAY_LENGTH_TOO_LONG",
                f"At most {MAX_ORDER_LOCATIONS} location IDs can be searched at once, got {len(location_ids)}.",
                "location_ids",
            )
        return [location_param(self.world, location_id, "location_ids") for location_id in location_ids]

    def batch_retrieve_orders(self, query: QueryParams, body: bytes, stale_cursor: bool) -> bytes:
        request = json_object(body)
        order_ids = request.get("order_ids")
        if not isinstance(order_ids, list) or not order_ids:
            raise bad_request("MISSING_REQUIRED_PARAMETER", "`order_ids` is required.", "order_ids")
        if len(order_ids) > 100:
            raise bad_request(
                "ARRAY_LENGTH_TOO_LONG", "At most 100 order IDs can be retrieved at once.", "order_ids"
            )
        location_id = request.get("location_id")
        location = location_param(self.world, location_id, "location_id") if location_id else None
        now = self.clock.now()
        bodies = []
        for order_id in order_ids:
            if not isinstance(order_id, str):
                raise bad_request("EXPECTED_STRING", "Order IDs must be strings.", "order_ids")
            record = self.store.find("order", order_id, now)
            if record is not None and (location is None or record.location_id == location.id):
                bodies.append(record.body)
        return _join("orders", bodies, None)

    # -- payments and refunds ------------------------------------------------------------------------------

    def list_payments(self, query: QueryParams, body: bytes, stale_cursor: bool) -> bytes:
        location_id = single(query, "location_id")
        location = (
            location_param(self.world, location_id, "location_id")
            if location_id
            else self.world.main_location
        )
        request = self._listing(query, stale_cursor, PAYMENT_SORT_FIELDS)
        predicate, offline_range = _payment_filters(query, request.keyset.now)
        request.ranges.update(offline_range)
        records, cursor = self._page("payment", [location], request, predicate)
        return _join("payments", [record.body for record in records], cursor)

    def list_refunds(self, query: QueryParams, body: bytes, stale_cursor: bool) -> bytes:
        location_id = single(query, "location_id")
        locations = (
            [location_param(self.world, location_id, "location_id")]
            if location_id
            else list(self.world.locations)
        )
        request = self._listing(query, stale_cursor, REFUND_SORT_FIELDS)
        records, cursor = self._page("refund", locations, request, _refund_filters(query))
        return _join("refunds", [record.body for record in records], cursor)

    def _listing(self, query: QueryParams, stale_cursor: bool, sort_fields: dict[str, str]) -> PageRequest:
        """The parameters ListPayments and ListPaymentRefunds share: sorting, limit, cursor and time ranges."""
        field = sort_field(single(query, "sort_field") or "CREATED_AT", sort_fields, "sort_field")
        ascending = is_ascending(single(query, "sort_order"), "sort_order", "DESC")
        limit_text = single(query, "limit")
        limit = 100 if limit_text is None else int_param(limit_text, "limit")
        if limit < 1:
            raise bad_request("VALUE_TOO_LOW", "`limit` must be at least 1.", "limit")
        limit = min(limit, 100)  # documented: larger values are ignored, at most 100 are returned
        key = fingerprint(sorted((k, v) for k, v in query.items() if k not in ("cursor", "limit")))
        cursor = single(query, "cursor")
        state = resume(cursor, key, stale_cursor) if cursor is not None else {}
        keyset = Keyset(key, state, self.clock.now())
        return PageRequest(keyset, field, ascending, limit, _listing_time_ranges(query, keyset))

    # -- catalog and customers (small, static: offset cursors) ---------------------------------------------

    def list_catalog(self, query: QueryParams, body: bytes, stale_cursor: bool) -> bytes:
        types_text = single(query, "types")
        types = None
        if types_text:
            types = {part.strip().upper() for part in types_text.split(",") if part.strip()}
            unknown = types - CATALOG_TYPES
            if unknown:
                raise bad_request(
                    "INVALID_ENUM_VALUE", f"Unknown catalog object type(s): {sorted(unknown)}.", "types"
                )
        objects = self.world.catalog_listing(types)
        paging = _resume_offset(sorted(types or []), single(query, "cursor"), stale_cursor)
        return _offset_page(objects, "objects", 100, paging)

    def list_customers(self, query: QueryParams, body: bytes, stale_cursor: bool) -> bytes:
        limit = _customer_limit(single(query, "limit"))
        field, order = single(query, "sort_field"), single(query, "sort_order")
        customers = _sort_customers(self._customers_as_of(), field, order)
        count = (single(query, "count") or "false").lower() == "true"
        paging = _resume_offset([field, order], single(query, "cursor"), stale_cursor)
        return _offset_page(
            customers, "customers", limit, paging, {"count": len(customers)} if count else None
        )

    def search_customers(self, query: QueryParams, body: bytes, stale_cursor: bool) -> bytes:
        request = json_object(body)
        limit = _customer_limit(request.get("limit"))
        search = request.get("query") or {}
        filters = search.get("filter") or {}
        sort = search.get("sort") or {}
        customers = self._customers_as_of()
        for field in ("created_at", "updated_at"):
            if filters.get(field):
                customers = _created_or_updated_within(customers, field, filters[field])
        sources = (filters.get("creation_source") or {}).get("values")
        if sources:
            customers = [c for c in customers if c["creation_source"] in sources]
        customers = _sort_customers(customers, sort.get("field"), sort.get("order"))
        extra = {"count": len(customers)} if request.get("count") else None
        paging = _resume_offset(search, request.get("cursor"), stale_cursor)
        return _offset_page(customers, "customers", limit, paging, extra)

    def _customers_as_of(self) -> list[dict]:
        now = format_us(self.clock.now())
        visible = []
        for customer in self.world.customers:
            if customer["created_at"] > now:
                break  # sorted by created_at
            if customer["updated_at"] > now:
                customer = {**customer, "updated_at": customer["created_at"], "version": 0}
            visible.append(customer)
        return visible


# -- orders ----------------------------------------------------------------------------------------------------


def _order_limit(limit: int) -> int:
    if limit < 1:
        raise bad_request("VALUE_TOO_LOW", "`limit` must be at least 1.", "limit")
    if limit > 1000:
        raise bad_request("VALUE_TOO_HIGH", "`limit` must be at most 1000.", "limit")
    return limit


def _order_query(search: object) -> tuple[dict, dict, dict]:
    """(query, query.filter, query.sort) of a SearchOrders request, each an object."""
    search = search or {}
    if not isinstance(search, dict):
        raise bad_request("EXPECTED_OBJECT", "`query` must be an object.", "query")
    filters = search.get("filter") or {}
    sort = search.get("sort") or {}
    if not isinstance(filters, dict) or not isinstance(sort, dict):
        raise bad_request("EXPECTED_OBJECT", "`query.filter` and `query.sort` must be objects.", "query")
    return search, filters, sort


def _order_time_range(filters: dict, sort_on: str, open_end: int) -> Ranges:
    """The ``date_time_filter`` range: on one field only, the one the results are sorted on."""
    time_filter = filters.get("date_time_filter") or {}
    if not isinstance(time_filter, dict):
        raise bad_request(
            "EXPECTED_OBJECT", "`date_time_filter` must be an object.", "query.filter.date_time_filter"
        )
    used = [name for name in ("created_at", "updated_at", "closed_at") if time_filter.get(name) is not None]
    if not used:
        return {}
    if len(used) > 1:
        raise bad_request(
            "CONFLICTING_PARAMETERS",
            "A date_time_filter may use only one of created_at, updated_at and closed_at.",
            "query.filter.date_time_filter",
        )
    field = used[0]
    if field != sort_on:
        raise bad_request(
            "INVALID_VALUE",
            f"The sort field ({sort_on.upper()}) must be the field the date_time_filter uses ({field.upper()}).",
            "query.sort.sort_field",
        )
    path = f"query.filter.date_time_filter.{field}"
    time_range = time_filter[field]
    if not isinstance(time_range, dict):
        raise bad_request("EXPECTED_OBJECT", "A time range must be an object.", path)
    low = (
        time_param(time_range["start_at"], f"{path}.start_at") if time_range.get("start_at") else EARLIEST_US
    )
    high = time_param(time_range["end_at"], f"{path}.end_at") if time_range.get("end_at") else open_end
    if low > high:
        raise bad_request("INVALID_TIME_RANGE", "start_at must not be after end_at.", path)
    return {field: (low, high)}


def _order_filters(filters: dict) -> Predicate | None:
    """``state_filter``, ``customer_filter``, ``source_filter`` and ``fulfillment_filter`` as one predicate."""
    checks: list[Predicate] = []
    state_filter = filters.get("state_filter")
    if state_filter is not None:
        wanted_states = _order_states(state_filter)
        checks.append(lambda record: record.state in wanted_states)
    customer_filter = filters.get("customer_filter")
    if customer_filter and customer_filter.get("customer_ids"):
        customers = set(customer_filter["customer_ids"])
        checks.append(lambda record: orjson.loads(record.body).get("customer_id") in customers)
    source_filter = filters.get("source_filter")
    if source_filter and source_filter.get("source_names"):
        sources = set(source_filter["source_names"])
        checks.append(lambda record: SOURCE_NAME in sources)
    fulfillment_filter = filters.get("fulfillment_filter")
    if fulfillment_filter and fulfillment_filter.get("fulfillment_types"):
        checks.append(lambda record: False)  # in-store sales carry no fulfillments
    return _all_of(checks)


def _order_states(state_filter: object) -> set[str]:
    field = "query.filter.state_filter.states"
    states = state_filter.get("states") if isinstance(state_filter, dict) else None
    if not isinstance(states, list) or not states:
        raise bad_request("MISSING_REQUIRED_PARAMETER", "state_filter needs `states`.", field)
    for value in states:
        if value not in ORDER_STATES:
            raise bad_request("INVALID_ENUM_VALUE", f"Unknown order state {value!r}.", field)
    return set(states)


def _order_entry(record: Record) -> bytes:
    if record.version is None:
        return orjson.dumps({"order_id": record.id, "location_id": record.location_id})
    return orjson.dumps({"order_id": record.id, "version": record.version, "location_id": record.location_id})


# -- payments and refunds --------------------------------------------------------------------------------------


def _listing_time_ranges(query: QueryParams, keyset: Keyset) -> Ranges:
    """``begin_time``/``end_time`` on created_at (default: the last year) and the updated_at pair."""
    begin, end = single(query, "begin_time"), single(query, "end_time")
    ranges = {
        "created_at": (
            time_param(begin, "begin_time") if begin else keyset.now - 365 * US_PER_DAY,
            time_param(end, "end_time") if end else keyset.open_end,
        )
    }
    updated_begin, updated_end = single(query, "updated_at_begin_time"), single(query, "updated_at_end_time")
    if updated_begin or updated_end:
        ranges["updated_at"] = (
            time_param(updated_begin, "updated_at_begin_time") if updated_begin else EARLIEST_US,
            time_param(updated_end, "updated_at_end_time") if updated_end else keyset.open_end,
        )
    for field, (low, high) in ranges.items():
        if low > high:
            raise bad_request("INVALID_TIME_RANGE", f"The {field} range starts after it ends.", "begin_time")
    return ranges


def _payment_filters(query: QueryParams, now: int) -> tuple[Predicate | None, Ranges]:
    """ListPayments' own filters (on PaymentFacts), and its offline time range if given."""
    checks: list[Predicate] = []
    offline_range = {}
    offline = single(query, "is_offline_payment")
    if offline is not None:
        if offline.lower() not in ("true", "false"):
            raise bad_request(
                "EXPECTED_BOOLEAN", "`is_offline_payment` must be true or false.", "is_offline_payment"
            )
        want = offline.lower() == "true"
        checks.append(lambda record: (record.facts.offline_created is not None) == want)
    offline_begin, offline_end = single(query, "offline_begin_time"), single(query, "offline_end_time")
    if offline_begin or offline_end:
        offline_range["offline_created_at"] = (
            time_param(offline_begin, "offline_begin_time") if offline_begin else EARLIEST_US,
            time_param(offline_end, "offline_end_time") if offline_end else now,
        )
    total = single(query, "total")
    if total is not None:
        amount = int_param(total, "total")
        checks.append(lambda record: record.total == amount)
    last_4 = single(query, "last_4")
    if last_4 is not None:
        checks.append(lambda record: record.facts.last_4 == last_4)
    brand = single(query, "card_brand")
    if brand is not None:
        checks.append(lambda record: record.facts.card_brand == brand)
    return _all_of(checks), offline_range


def _refund_filters(query: QueryParams) -> Predicate | None:
    """ListPaymentRefunds' own filters (on RefundFacts)."""
    checks: list[Predicate] = []
    status = single(query, "status")
    if status is not None:
        checks.append(lambda record: record.state == status)
    source_type = single(query, "source_type")
    if source_type is not None:
        checks.append(lambda record: record.facts.source_type == source_type)
    return _all_of(checks)


def _all_of(checks: list[Predicate]) -> Predicate | None:
    if not checks:
        return None
    return lambda record: all(check(record) for check in checks)


def _join(key: str, bodies: list[bytes], cursor: str | None) -> bytes:
    """``{key: [bodies...], "cursor": ...}`` from stored JSON without parsing it; ``{}`` when empty (Square)."""
    if not bodies:
        return EMPTY
    out = b'{"' + key.encode() + b'":[' + b",".join(bodies) + b"]"
    if cursor:
        out += b',"cursor":"' + cursor.encode() + b'"'
    return out + b"}"


# -- catalog and customers -------------------------------------------------------------------------------------


def _resume_offset(query_key: object, cursor: object, stale_cursor: bool) -> tuple[str, int]:
    """(query fingerprint, offset to start at) for the small listings paged by offset."""
    key = fingerprint(query_key)
    state = resume(cursor, key, stale_cursor) if cursor is not None else {}
    return key, state.get("o", 0)


def _offset_page(
    items: list[dict], key: str, limit: int, paging: tuple[str, int], extra: dict | None = None
) -> bytes:
    query_fingerprint, offset = paging
    response: dict = dict(extra or {})
    page = items[offset : offset + limit]
    if page:
        response[key] = page
    if offset + limit < len(items):
        response["cursor"] = encode_cursor(query_fingerprint, {"o": offset + limit})
    return orjson.dumps(response)


def _customer_limit(value: object) -> int:
    limit = 100 if value is None else int_param(value, "limit")
    if limit < 1:
        raise bad_request("VALUE_TOO_LOW", "`limit` must be between 1 and 100.", "limit")
    if limit > 100:
        raise bad_request("VALUE_TOO_HIGH", "`limit` must be between 1 and 100.", "limit")
    return limit


def _sort_customers(customers: list[dict], field: object, order: object) -> list[dict]:
    if field not in (None, "DEFAULT", "CREATED_AT"):
        raise bad_request("INVALID_ENUM_VALUE", f"Unknown sort field {field!r}.", "sort_field")
    ascending = is_ascending(order, "sort_order", "ASC")
    if field == "CREATED_AT":
        ordered = sorted(customers, key=lambda c: (c["created_at"], c["id"]))
    else:
        ordered = sorted(customers, key=lambda c: (c["given_name"], c["family_name"], c["id"]))
    return ordered if ascending else ordered[::-1]


def _created_or_updated_within(customers: list[dict], field: str, time_range: dict) -> list[dict]:
    path = f"query.filter.{field}"
    low = time_param(time_range["start_at"], path) if time_range.get("start_at") else None
    high = time_param(time_range["end_at"], path) if time_range.get("end_at") else None
    return [
        customer
        for customer in customers
        if (low is None or parse_rfc3339(customer[field]) >= low)
        and (high is None or parse_rfc3339(customer[field]) <= high)
    ]
