"""The Square Connect v2 endpoints the platform uses, answered as of the sandbox clock."""

from __future__ import annotations

import datetime as dt
import urllib.parse
from collections.abc import Callable

import orjson

from square_sandbox.clock import Clock
from square_sandbox.cursors import decode_cursor, encode_cursor, fingerprint
from square_sandbox.errors import SquareError, bad_request, not_found
from square_sandbox.records import Record
from square_sandbox.store import Store
from square_sandbox.timeutil import US_PER_DAY, InvalidTime, format_us, parse_rfc3339
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
Query = dict[str, list[str]]


def _json_body(body: bytes) -> dict:
    try:
        payload = orjson.loads(body or b"{}")
    except orjson.JSONDecodeError:
        raise bad_request("EXPECTED_JSON_BODY", "The request body is not valid JSON.") from None
    if not isinstance(payload, dict):
        raise bad_request("EXPECTED_OBJECT", "The request body must be a JSON object.")
    return payload


def _time(value: object, field: str) -> int:
    try:
        return parse_rfc3339(value)  # type: ignore[arg-type]
    except InvalidTime:
        raise bad_request(
            "INVALID_TIME", f"`{field}` must be an RFC 3339 timestamp, got {value!r}.", field
        ) from None


def _single(query: Query, name: str) -> str | None:
    values = query.get(name)
    return values[-1] if values else None


def _int_param(value: object, field: str) -> int:
    if isinstance(value, bool):
        raise bad_request("EXPECTED_INTEGER", f"`{field}` must be an integer.", field)
    if isinstance(value, int):
        return value
    try:
        return int(str(value))
    except ValueError:
        raise bad_request("EXPECTED_INTEGER", f"`{field}` must be an integer.", field) from None


def _sort_order(value: object, field: str, default: str) -> bool:
    """True for ascending."""
    order = default if value is None else value
    if order not in ("ASC", "DESC"):
        raise bad_request("INVALID_SORT_ORDER", f"`{field}` must be ASC or DESC, got {value!r}.", field)
    return order == "ASC"


def _join(key: str, bodies: list[bytes], cursor: str | None) -> bytes:
    if not bodies:
        return EMPTY
    out = b'{"' + key.encode() + b'":[' + b",".join(bodies) + b"]"
    if cursor:
        out += b',"cursor":"' + cursor.encode() + b'"'
    return out + b"}"


class SquareApi:
    def __init__(self, world: World, store: Store, clock: Clock) -> None:
        self.world = world
        self.store = store
        self.clock = clock
        self.routes: dict[tuple[str, str], Callable[[Query, bytes, bool], bytes]] = {
            ("GET", "/v2/locations"): self.list_locations,
            ("POST", "/v2/orders/search"): self.search_orders,
            ("POST", "/v2/orders/batch-retrieve"): self.batch_retrieve_orders,
            ("GET", "/v2/payments"): self.list_payments,
            ("GET", "/v2/refunds"): self.list_refunds,
            ("GET", "/v2/catalog/list"): self.list_catalog,
            ("GET", "/v2/customers"): self.list_customers,
            ("POST", "/v2/customers/search"): self.search_customers,
        }

    def _location(self, location_id: object, field: str) -> Location:
        location = self.world.locations_by_id.get(location_id) if isinstance(location_id, str) else None
        if location is None:
            raise not_found(f"Location `{location_id}` not found.", field)
        return location

    # -- locations -----------------------------------------------------------------------------------------

    def list_locations(self, query: Query, body: bytes, stale_cursor: bool) -> bytes:
        return orjson.dumps({"locations": [location.body for location in self.world.locations]})

    # -- orders --------------------------------------------------------------------------------------------

    def search_orders(self, query: Query, body: bytes, stale_cursor: bool) -> bytes:
        request = _json_body(body)
        location_ids = request.get("location_ids")
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
        locations = [self._location(location_id, "location_ids") for location_id in location_ids]
        limit = _int_param(request.get("limit", 500), "limit")
        if limit < 1:
            raise bad_request("VALUE_TOO_LOW", "`limit` must be at least 1.", "limit")
        if limit > 1000:
            raise bad_request("VALUE_TOO_HIGH", "`limit` must be at most 1000.", "limit")
        return_entries = request.get("return_entries", False)
        if not isinstance(return_entries, bool):
            raise bad_request("EXPECTED_BOOLEAN", "`return_entries` must be a boolean.", "return_entries")
        search = request.get("query") or {}
        if not isinstance(search, dict):
            raise bad_request("EXPECTED_OBJECT", "`query` must be an object.", "query")
        filters = search.get("filter") or {}
        sort = search.get("sort") or {}
        if not isinstance(filters, dict) or not isinstance(sort, dict):
            raise bad_request("EXPECTED_OBJECT", "`query.filter` and `query.sort` must be objects.", "query")
        sort_field_name = sort.get("sort_field", "CREATED_AT")
        if sort_field_name not in ORDER_SORT_FIELDS:
            raise bad_request(
                "INVALID_ENUM_VALUE", f"Unknown sort field {sort_field_name!r}.", "query.sort.sort_field"
            )
        sort_field = ORDER_SORT_FIELDS[sort_field_name]
        ascending = _sort_order(sort.get("sort_order"), "query.sort.sort_order", "DESC")

        fingerprint_key = fingerprint([location_ids, search, return_entries])
        state = {}
        if "cursor" in request:
            if stale_cursor:
                raise bad_request(
                    "INVALID_CURSOR", "The cursor has expired: start the query again.", "cursor"
                )
            state = decode_cursor(request["cursor"], fingerprint_key)

        now = self.clock.now()
        ranges: dict[str, tuple[int, int]] = {}
        time_filter = filters.get("date_time_filter") or {}
        if not isinstance(time_filter, dict):
            raise bad_request(
                "EXPECTED_OBJECT", "`date_time_filter` must be an object.", "query.filter.date_time_filter"
            )
        used = [
            name for name in ("created_at", "updated_at", "closed_at") if time_filter.get(name) is not None
        ]
        if len(used) > 1:
            raise bad_request(
                "CONFLICTING_PARAMETERS",
                "A date_time_filter may use only one of created_at, updated_at and closed_at.",
                "query.filter.date_time_filter",
            )
        if used:
            field = used[0]
            if field != sort_field:
                raise bad_request(
                    "INVALID_VALUE",
                    f"The sort field ({sort_field_name}) must be the field the date_time_filter uses "
                    f"({field.upper()}).",
                    "query.sort.sort_field",
                )
            time_range = time_filter[field]
            if not isinstance(time_range, dict):
                raise bad_request(
                    "EXPECTED_OBJECT",
                    "A time range must be an object.",
                    f"query.filter.date_time_filter.{field}",
                )
            path = f"query.filter.date_time_filter.{field}"
            low = (
                _time(time_range["start_at"], f"{path}.start_at") if time_range.get("start_at") else -(2**62)
            )
            # Without end_at the range ends at the time of the first request of the cursor (Square's rule).
            if time_range.get("end_at"):
                high = _time(time_range["end_at"], f"{path}.end_at")
            else:
                high = state.get("e", now)
            if low > high:
                raise bad_request("INVALID_TIME_RANGE", "start_at must not be after end_at.", path)
            ranges[field] = (low, high)  # Square's ranges include both ends

        predicates: list[Callable[[Record], bool]] = []
        state_filter = filters.get("state_filter")
        if state_filter is not None:
            states = state_filter.get("states") if isinstance(state_filter, dict) else None
            if not isinstance(states, list) or not states:
                raise bad_request(
                    "MISSING_REQUIRED_PARAMETER",
                    "state_filter needs `states`.",
                    "query.filter.state_filter.states",
                )
            for value in states:
                if value not in ORDER_STATES:
                    raise bad_request(
                        "INVALID_ENUM_VALUE",
                        f"Unknown order state {value!r}.",
                        "query.filter.state_filter.states",
                    )
            wanted_states = set(states)
            predicates.append(lambda record: record.state in wanted_states)
        customer_filter = filters.get("customer_filter")
        if customer_filter and customer_filter.get("customer_ids"):
            customers = set(customer_filter["customer_ids"])
            predicates.append(lambda record: orjson.loads(record.body).get("customer_id") in customers)
        source_filter = filters.get("source_filter")
        if source_filter and source_filter.get("source_names"):
            sources = set(source_filter["source_names"])
            predicates.append(lambda record: "Square Point of Sale" in sources)
        fulfillment_filter = filters.get("fulfillment_filter")
        if fulfillment_filter and fulfillment_filter.get("fulfillment_types"):
            predicates.append(lambda record: False)  # in-store sales carry no fulfillments
        if sort_field == "closed_at":
            ranges.setdefault("closed_at", (-(2**62), 2**62))

        after = tuple(state["k"]) if "k" in state else None
        page = self.store.page(
            "order",
            locations,
            sort_field,
            ascending,
            ranges,
            now,
            after,  # type: ignore[arg-type]
            limit,
            (lambda record: all(p(record) for p in predicates)) if predicates else None,
        )
        cursor = None
        if page.has_more:
            last = page.records[-1]
            cursor_state = {"k": [last.field(sort_field), last.id]}
            cursor_state["e"] = state.get("e", now)
            cursor = encode_cursor(fingerprint_key, cursor_state)
        if return_entries:
            entries = [
                orjson.dumps({"order_id": r.id, "version": r.version, "location_id": r.location_id})
                if r.version is not None
                else orjson.dumps({"order_id": r.id, "location_id": r.location_id})
                for r in page.records
            ]
            return _join("order_entries", entries, cursor)
        return _join("orders", [record.body for record in page.records], cursor)

    def batch_retrieve_orders(self, query: Query, body: bytes, stale_cursor: bool) -> bytes:
        request = _json_body(body)
        order_ids = request.get("order_ids")
        if not isinstance(order_ids, list) or not order_ids:
            raise bad_request("MISSING_REQUIRED_PARAMETER", "`order_ids` is required.", "order_ids")
        if len(order_ids) > 100:
            raise bad_request(
                "ARRAY_LENGTH_TOO_LONG", "At most 100 order IDs can be retrieved at once.", "order_ids"
            )
        location = (
            self._location(request["location_id"], "location_id") if request.get("location_id") else None
        )
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

    def _time_ranges(
        self, query: Query, now: int, state: dict, begin_default: int
    ) -> dict[str, tuple[int, int]]:
        begin = _single(query, "begin_time")
        end = _single(query, "end_time")
        ranges = {
            "created_at": (
                _time(begin, "begin_time") if begin else begin_default,
                _time(end, "end_time") if end else state.get("e", now),
            )
        }
        updated_begin = _single(query, "updated_at_begin_time")
        updated_end = _single(query, "updated_at_end_time")
        if updated_begin or updated_end:
            ranges["updated_at"] = (
                _time(updated_begin, "updated_at_begin_time") if updated_begin else -(2**62),
                _time(updated_end, "updated_at_end_time") if updated_end else state.get("e", now),
            )
        for field, (low, high) in ranges.items():
            if low > high:
                raise bad_request(
                    "INVALID_TIME_RANGE", f"The {field} range starts after it ends.", "begin_time"
                )
        return ranges

    def _listing(
        self,
        kind: str,
        query: Query,
        stale_cursor: bool,
        locations: list[Location],
        sort_fields: dict[str, str],
        extra_filter: Callable[[dict[str, tuple[int, int]]], Callable[[Record], bool] | None],
    ) -> tuple[list[Record], str | None]:
        sort_field_name = _single(query, "sort_field") or "CREATED_AT"
        if sort_field_name not in sort_fields:
            raise bad_request("INVALID_ENUM_VALUE", f"Unknown sort field {sort_field_name!r}.", "sort_field")
        sort_field = sort_fields[sort_field_name]
        ascending = _sort_order(_single(query, "sort_order"), "sort_order", "DESC")
        limit_text = _single(query, "limit")
        limit = 100 if limit_text is None else _int_param(limit_text, "limit")
        if limit < 1:
            raise bad_request("VALUE_TOO_LOW", "`limit` must be at least 1.", "limit")
        limit = min(limit, 100)  # documented: larger values are ignored, at most 100 are returned
        cursor = _single(query, "cursor")
        fingerprint_key = fingerprint(
            sorted((k, v) for k, v in query.items() if k not in ("cursor", "limit"))
        )
        state = {}
        if cursor is not None:
            if stale_cursor:
                raise bad_request(
                    "INVALID_CURSOR", "The cursor has expired: start the query again.", "cursor"
                )
            state = decode_cursor(cursor, fingerprint_key)
        now = self.clock.now()
        ranges = self._time_ranges(query, now, state, now - 365 * US_PER_DAY)
        predicate = extra_filter(ranges)
        if sort_field == "offline_created_at":
            ranges.setdefault("offline_created_at", (-(2**62), 2**62))
        after = tuple(state["k"]) if "k" in state else None
        page = self.store.page(kind, locations, sort_field, ascending, ranges, now, after, limit, predicate)  # type: ignore[arg-type]
        next_cursor = None
        if page.has_more:
            last = page.records[-1]
            next_cursor = encode_cursor(
                fingerprint_key, {"k": [last.field(sort_field), last.id], "e": state.get("e", now)}
            )
        return page.records, next_cursor

    def list_payments(self, query: Query, body: bytes, stale_cursor: bool) -> bytes:
        location_id = _single(query, "location_id")
        location = self._location(location_id, "location_id") if location_id else self.world.main_location

        def extra(ranges: dict[str, tuple[int, int]]) -> Callable[[Record], bool] | None:
            checks: list[Callable[[Record], bool]] = []
            offline = _single(query, "is_offline_payment")
            if offline is not None:
                if offline.lower() not in ("true", "false"):
                    raise bad_request(
                        "EXPECTED_BOOLEAN",
                        "`is_offline_payment` must be true or false.",
                        "is_offline_payment",
                    )
                want = offline.lower() == "true"
                checks.append(lambda r: (r.facts.offline_created is not None) == want)
            offline_begin, offline_end = (
                _single(query, "offline_begin_time"),
                _single(query, "offline_end_time"),
            )
            if offline_begin or offline_end:
                ranges["offline_created_at"] = (
                    _time(offline_begin, "offline_begin_time") if offline_begin else -(2**62),
                    _time(offline_end, "offline_end_time") if offline_end else self.clock.now(),
                )
            total = _single(query, "total")
            if total is not None:
                amount = _int_param(total, "total")
                checks.append(lambda r: r.total == amount)
            last_4 = _single(query, "last_4")
            if last_4 is not None:
                checks.append(lambda r: r.facts.last_4 == last_4)
            brand = _single(query, "card_brand")
            if brand is not None:
                checks.append(lambda r: r.facts.card_brand == brand)
            return (lambda r: all(check(r) for check in checks)) if checks else None

        records, cursor = self._listing(
            "payment", query, stale_cursor, [location], PAYMENT_SORT_FIELDS, extra
        )
        return _join("payments", [record.body for record in records], cursor)

    def list_refunds(self, query: Query, body: bytes, stale_cursor: bool) -> bytes:
        location_id = _single(query, "location_id")
        locations = (
            [self._location(location_id, "location_id")] if location_id else list(self.world.locations)
        )

        def extra(ranges: dict[str, tuple[int, int]]) -> Callable[[Record], bool] | None:
            checks: list[Callable[[Record], bool]] = []
            status = _single(query, "status")
            if status is not None:
                checks.append(lambda r: r.state == status)
            source_type = _single(query, "source_type")
            if source_type is not None:
                checks.append(lambda r: r.facts.source_type == source_type)
            return (lambda r: all(check(r) for check in checks)) if checks else None

        records, cursor = self._listing("refund", query, stale_cursor, locations, REFUND_SORT_FIELDS, extra)
        return _join("refunds", [record.body for record in records], cursor)

    # -- catalog and customers (small, static: offset cursors) ---------------------------------------------

    def _offset_page(
        self,
        items: list[dict],
        key: str,
        query_key: object,
        cursor: object,
        limit: int,
        stale_cursor: bool,
        extra: dict | None = None,
    ) -> bytes:
        fingerprint_key = fingerprint(query_key)
        offset = 0
        if cursor is not None:
            if stale_cursor:
                raise bad_request(
                    "INVALID_CURSOR", "The cursor has expired: start the query again.", "cursor"
                )
            offset = decode_cursor(cursor, fingerprint_key).get("o", 0)
        page = items[offset : offset + limit]
        response: dict = dict(extra or {})
        if page:
            response[key] = page
        if offset + limit < len(items):
            response["cursor"] = encode_cursor(fingerprint_key, {"o": offset + limit})
        return orjson.dumps(response)

    def list_catalog(self, query: Query, body: bytes, stale_cursor: bool) -> bytes:
        types_text = _single(query, "types")
        types = None
        if types_text:
            types = {part.strip().upper() for part in types_text.split(",") if part.strip()}
            unknown = types - CATALOG_TYPES
            if unknown:
                raise bad_request(
                    "INVALID_ENUM_VALUE", f"Unknown catalog object type(s): {sorted(unknown)}.", "types"
                )
        objects = self.world.catalog_listing(types)
        return self._offset_page(
            objects, "objects", sorted(types or []), _single(query, "cursor"), 100, stale_cursor
        )

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

    @staticmethod
    def _customer_limit(value: object) -> int:
        limit = 100 if value is None else _int_param(value, "limit")
        if limit < 1:
            raise bad_request("VALUE_TOO_LOW", "`limit` must be between 1 and 100.", "limit")
        if limit > 100:
            raise bad_request("VALUE_TOO_HIGH", "`limit` must be between 1 and 100.", "limit")
        return limit

    @staticmethod
    def _sort_customers(customers: list[dict], field: object, order: object) -> list[dict]:
        if field not in (None, "DEFAULT", "CREATED_AT"):
            raise bad_request("INVALID_ENUM_VALUE", f"Unknown sort field {field!r}.", "sort_field")
        ascending = _sort_order(order, "sort_order", "ASC")
        if field == "CREATED_AT":
            ordered = sorted(customers, key=lambda c: (c["created_at"], c["id"]))
        else:
            ordered = sorted(customers, key=lambda c: (c["given_name"], c["family_name"], c["id"]))
        return ordered if ascending else ordered[::-1]

    def list_customers(self, query: Query, body: bytes, stale_cursor: bool) -> bytes:
        limit = self._customer_limit(_single(query, "limit"))
        field, order = _single(query, "sort_field"), _single(query, "sort_order")
        customers = self._sort_customers(self._customers_as_of(), field, order)
        count = (_single(query, "count") or "false").lower() == "true"
        return self._offset_page(
            customers,
            "customers",
            [field, order],
            _single(query, "cursor"),
            limit,
            stale_cursor,
            {"count": len(customers)} if count else None,
        )

    def search_customers(self, query: Query, body: bytes, stale_cursor: bool) -> bytes:
        request = _json_body(body)
        limit = self._customer_limit(request.get("limit"))
        search = request.get("query") or {}
        filters = search.get("filter") or {}
        sort = search.get("sort") or {}
        customers = self._customers_as_of()
        for field in ("created_at", "updated_at"):
            time_range = filters.get(field)
            if time_range:
                path = f"query.filter.{field}"
                low = _time(time_range["start_at"], path) if time_range.get("start_at") else None
                high = _time(time_range["end_at"], path) if time_range.get("end_at") else None
                customers = [
                    c
                    for c in customers
                    if (low is None or parse_rfc3339(c[field]) >= low)
                    and (high is None or parse_rfc3339(c[field]) <= high)
                ]
        sources = (filters.get("creation_source") or {}).get("values")
        if sources:
            customers = [c for c in customers if c["creation_source"] in sources]
        customers = self._sort_customers(customers, sort.get("field"), sort.get("order"))
        extra = {"count": len(customers)} if request.get("count") else None
        return self._offset_page(
            customers, "customers", search, request.get("cursor"), limit, stale_cursor, extra
        )


def parse_query(raw: str) -> Query:
    return urllib.parse.parse_qs(raw, keep_blank_values=True)


def business_day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise bad_request("INVALID_DATE", f"`date` must be YYYY-MM-DD, got {value!r}.", "date") from None


__all__ = ["SquareApi", "SquareError", "business_day", "parse_query"]
