"""Opaque pagination cursors bound to the query they continue (Square rejects a cursor with another query)."""

from __future__ import annotations

import base64
import dataclasses
import hashlib

import orjson

from square_sandbox.errors import bad_request


def fingerprint(query: object) -> str:
    return hashlib.sha256(orjson.dumps(query, option=orjson.OPT_SORT_KEYS)).hexdigest()[:20]


def encode_cursor(query_fingerprint: str, state: dict) -> str:
    raw = orjson.dumps({"q": query_fingerprint, **state})
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: object, query_fingerprint: str) -> dict:
    if not isinstance(cursor, str) or not cursor:
        raise bad_request("INVALID_CURSOR", "The cursor is not valid.", "cursor")
    try:
        state = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, orjson.JSONDecodeError):
        raise bad_request("INVALID_CURSOR", "The cursor is not valid.", "cursor") from None
    if not isinstance(state, dict) or state.get("q") != query_fingerprint:
        raise bad_request(
            "INVALID_CURSOR",
            "The cursor was issued for a different query: send it with the original query.",
            "cursor",
        )
    return state


def resume(cursor: object, query_fingerprint: str, stale: bool) -> dict:
    """The state a client's cursor carries; ``stale`` (an injected fault) rejects it as expired."""
    if stale:
        raise bad_request("INVALID_CURSOR", "The cursor has expired: start the query again.", "cursor")
    return decode_cursor(cursor, query_fingerprint)


@dataclasses.dataclass(frozen=True)
class Keyset:
    """Where a keyset-paged query stands: its fingerprint, the state its cursor carried, and the clock.

    The state holds ``k``, the (sort value, id) of the last record returned, and ``e``, the time of the
    query's first request, where a range without an end stops (Square's rule), so pages stay consistent
    while the clock moves.
    """

    fingerprint: str
    state: dict
    now: int

    @property
    def open_end(self) -> int:
        return self.state.get("e", self.now)

    @property
    def after(self) -> tuple[int, str] | None:
        return tuple(self.state["k"]) if "k" in self.state else None  # type: ignore[return-value]

    def next_cursor(self, last_sort_value: int | None, last_id: str) -> str:
        return encode_cursor(self.fingerprint, {"k": [last_sort_value, last_id], "e": self.open_end})
