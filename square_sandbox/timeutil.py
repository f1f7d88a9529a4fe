"""Timestamps as integer microseconds since the epoch, printed the way Square prints them."""

from __future__ import annotations

import datetime as dt

UTC = dt.UTC
US_PER_SECOND = 1_000_000
US_PER_HOUR = 3600 * US_PER_SECOND
US_PER_DAY = 24 * US_PER_HOUR
# The ends of open time ranges: beyond any real timestamp.
EARLIEST_US = -(2**62)
LATEST_US = 2**62


class InvalidTime(ValueError):
    pass


def to_us(value: dt.datetime) -> int:
    if value.tzinfo is None:
        raise InvalidTime(f"timestamp {value.isoformat()} has no time zone")
    delta = value - dt.datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86400 + delta.seconds) * US_PER_SECOND + delta.microseconds


def from_us(us: int) -> dt.datetime:
    return dt.datetime(1970, 1, 1, tzinfo=UTC) + dt.timedelta(microseconds=us)


def parse_rfc3339(text: str) -> int:
    """RFC 3339 (``2026-10-01T12:00:00Z``, ``...+02:00``, fractions) -> microseconds."""
    if not isinstance(text, str) or "T" not in text.upper():
        raise InvalidTime(f"not an RFC 3339 timestamp: {text!r}")
    try:
        parsed = dt.datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError as error:
        raise InvalidTime(f"not an RFC 3339 timestamp: {text!r}") from error
    return to_us(parsed)


def format_us(us: int) -> str:
    """Square's format: UTC with milliseconds, e.g. ``2026-10-01T14:03:12.123Z``."""
    return from_us(us).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
