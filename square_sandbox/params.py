"""Reading a request's parameters (query string or JSON body), with Square's error naming each bad one."""

from __future__ import annotations

import datetime as dt
import urllib.parse

import orjson

from square_sandbox.errors import bad_request, not_found
from square_sandbox.timeutil import InvalidTime, parse_rfc3339
from square_sandbox.world import Location, World

QueryParams = dict[str, list[str]]  # a parsed query string: name -> every value given


def parse_query(raw: str) -> QueryParams:
    return urllib.parse.parse_qs(raw, keep_blank_values=True)


def single(query: QueryParams, name: str) -> str | None:
    """The last value given for ``name``, or None."""
    values = query.get(name)
    return values[-1] if values else None


def json_object(body: bytes, name: str = "request body") -> dict:
    """The body as a JSON object (an empty body is ``{}``); ``name`` is what error details call it."""
    try:
        payload = orjson.loads(body or b"{}")
    except orjson.JSONDecodeError:
        raise bad_request("EXPECTED_JSON_BODY", f"The {name} is not valid JSON.") from None
    if not isinstance(payload, dict):
        raise bad_request("EXPECTED_OBJECT", f"The {name} must be a JSON object.")
    return payload


def time_param(value: object, field: str) -> int:
    try:
        return parse_rfc3339(value)  # type: ignore[arg-type]
    except InvalidTime:
        raise bad_request(
            "INVALID_TIME", f"`{field}` must be an RFC 3339 timestamp, got {value!r}.", field
        ) from None


def int_param(value: object, field: str) -> int:
    if isinstance(value, bool):
        raise bad_request("EXPECTED_INTEGER", f"`{field}` must be an integer.", field)
    if isinstance(value, int):
        return value
    try:
        return int(str(value))
    except ValueError:
        raise bad_request("EXPECTED_INTEGER", f"`{field}` must be an integer.", field) from None


def is_ascending(value: object, field: str, default: str) -> bool:
    """A ``sort_order`` (ASC | DESC, ``default`` when absent) as True for ascending."""
    order = default if value is None else value
    if order not in ("ASC", "DESC"):
        raise bad_request("INVALID_SORT_ORDER", f"`{field}` must be ASC or DESC, got {value!r}.", field)
    return order == "ASC"


def sort_field(name: object, fields: dict[str, str], field: str) -> str:
    """The record field a ``sort_field`` name (``CREATED_AT``, ...) sorts on."""
    if name not in fields:
        raise bad_request("INVALID_ENUM_VALUE", f"Unknown sort field {name!r}.", field)
    return fields[name]  # type: ignore[index]


def location_param(world: World, location_id: object, field: str) -> Location:
    location = world.locations_by_id.get(location_id) if isinstance(location_id, str) else None
    if location is None:
        raise not_found(f"Location `{location_id}` not found.", field)
    return location


def business_day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise bad_request("INVALID_DATE", f"`date` must be YYYY-MM-DD, got {value!r}.", "date") from None
