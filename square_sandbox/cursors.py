"""Opaque pagination cursors bound to the query they continue (Square rejects a cursor with another query)."""

from __future__ import annotations

import base64
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
