"""Paging lists the sandbox assembles in memory (derived objects, catalog, customers), and their stable ids.

Lists of records come from ``store.py``; the objects derived from them (timecards, drawer shifts, payouts,
gift card activities...) are assembled per query, sorted, and paged here with the same opaque cursors.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Callable, Iterator

import orjson

from square_sandbox.cursors import Keyset, encode_cursor, fingerprint, resume
from square_sandbox.errors import bad_request
from square_sandbox.ids import ALPHABET
from square_sandbox.params import int_param, is_ascending, location_param, time_param
from square_sandbox.timeutil import to_us
from square_sandbox.world import Location, World

EMPTY = b"{}"
EARLIEST_YEAR_US = to_us(dt.datetime(2000, 1, 1, tzinfo=dt.UTC))  # no business day lies before


def stable_id(*parts: object, length: int = 24) -> str:
    """An id derived from ``parts`` alone (no generator draw): the same object gets the same id every time."""
    digest = int.from_bytes(hashlib.sha256(":".join(map(str, parts)).encode()).digest(), "big")
    chars = []
    for _ in range(length):
        digest, digit = divmod(digest, 62)
        chars.append(ALPHABET[digit])
    return "".join(chars)


def hex_id(*parts: object, length: int = 32) -> str:
    return hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()[:length]


def uuid_like(head: str, tail: str) -> str:
    """A UUID-shaped id: 20 hex digits of ``head`` (a hash) and a 12-hex-digit ``tail`` (an origin to find it by)."""
    return f"{head[:8]}-{head[8:12]}-{head[12:16]}-{head[16:20]}-{tail}".upper()


def limit_param(value: object, default: int, maximum: int, *, cap: bool = False) -> int:
    """A ``limit``: ``default`` when absent; above ``maximum`` either an error or, where Square documents it,
    capped (``cap``)."""
    limit = default if value is None else int_param(value, "limit")
    if limit < 1:
        raise bad_request("VALUE_TOO_LOW", f"`limit` must be between 1 and {maximum}.", "limit")
    if limit > maximum:
        if cap:
            return maximum
        raise bad_request("VALUE_TOO_HIGH", f"`limit` must be between 1 and {maximum}.", "limit")
    return limit


def local_days(location: Location, low: int, high: int) -> Iterator[dt.date]:
    """The local business days of ``location`` that [low, high] (microseconds) touches."""
    day, last = location.local_date(low), location.local_date(high)
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


@dataclasses.dataclass(slots=True)
class Listed:
    """One object of an assembled list: its sort value, id and JSON."""

    sort: int
    id: str
    body: dict


def keyset_page(items: list[Listed], key: str, keyset: Keyset, ascending: bool, limit: int) -> bytes:
    """The page after the keyset's cursor, in (sort, id) order; ``{}`` when nothing is left (Square)."""
    items = sorted(items, key=lambda item: (item.sort, item.id), reverse=not ascending)
    after = keyset.after
    if after is not None:
        after = (after[0], after[1])
        items = [
            item
            for item in items
            if ((item.sort, item.id) > after if ascending else (item.sort, item.id) < after)
        ]
    page = items[:limit]
    if not page:
        return EMPTY
    response: dict = {key: [item.body for item in page]}
    if len(items) > limit:
        response["cursor"] = keyset.next_cursor(page[-1].sort, page[-1].id)
    return orjson.dumps(response)


def query_key(query: dict) -> list:
    """What identifies a GET listing for its cursor: every parameter but the cursor and the limit."""
    return sorted((k, v) for k, v in query.items() if k not in ("cursor", "limit"))


def body_key(request: dict) -> dict:
    """The same for a JSON search body."""
    return {key: value for key, value in request.items() if key not in ("cursor", "limit")}


def keyset_for(query_key: object, cursor: object, stale_cursor: bool, now: int) -> Keyset:
    """Where a keyset-paged list stands: the query's fingerprint and the state its cursor carried."""
    key = fingerprint(query_key)
    state = resume(cursor, key, stale_cursor) if cursor is not None else {}
    return Keyset(key, state, now)


def resume_offset(query_key: object, cursor: object, stale_cursor: bool) -> tuple[str, int]:
    """(query fingerprint, offset to start at) for the small listings paged by offset."""
    key = fingerprint(query_key)
    state = resume(cursor, key, stale_cursor) if cursor is not None else {}
    return key, state.get("o", 0)


def offset_page(
    items: list,
    key: str,
    limit: int,
    paging: tuple[str, int],
    extra: dict | None = None,
    render: Callable[[object], dict] | None = None,
) -> bytes:
    """The page at the cursor's offset; ``render`` turns an item into its JSON (only for the page's items)."""
    query_fingerprint, offset = paging
    response: dict = dict(extra or {})
    page = items[offset : offset + limit]
    if page:
        response[key] = [render(item) for item in page] if render else page
    if offset + limit < len(items):
        response["cursor"] = encode_cursor(query_fingerprint, {"o": offset + limit})
    return orjson.dumps(response)


def time_window(
    begin: object, end: object, names: tuple[str, str], default_low: int, default_high: int
) -> tuple[int, int]:
    """[low, high] from a begin/end pair of RFC 3339 parameters (``names`` for errors), defaults elsewhere."""
    low = time_param(begin, names[0]) if begin else default_low
    high = time_param(end, names[1]) if end else default_high
    if low > high:
        raise bad_request("INVALID_TIME_RANGE", f"`{names[0]}` must not be after `{names[1]}`.", names[0])
    return low, high


def business_days(world: World, location: Location, low: int, high: int, now: int) -> Iterator[dt.date]:
    """The business days of ``location`` (from the first one to today) that [low, high] touches."""
    day = max(world.config.start_date, location.local_date(max(low, EARLIEST_YEAR_US)))
    last = location.local_date(min(high, now))
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


def locations_param(world: World, location_ids: object, field: str) -> list[Location]:
    """The locations named (every location when none is)."""
    if location_ids is None or location_ids == []:
        return list(world.locations)
    if not isinstance(location_ids, list):
        raise bad_request("EXPECTED_ARRAY", f"`{field}` must be an array of location IDs.", field)
    return [location_param(world, location_id, field) for location_id in location_ids]


def string_list(request: dict, field: str) -> list[str] | None:
    """An optional array of strings in a JSON body."""
    values = request.get(field)
    if values is None:
        return None
    if not isinstance(values, list) or not all(isinstance(value, str) for value in values):
        raise bad_request("EXPECTED_ARRAY", f"`{field}` must be an array of strings.", field)
    return values


def sort_order_param(value: object, field: str, default: str) -> bool:
    """True for ASC."""
    return is_ascending(value, field, default)
