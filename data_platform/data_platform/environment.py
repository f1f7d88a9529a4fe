"""Reading settings from environment variables: one error type and one typed reader per kind of value.

Every code location validates its settings through these readers, so a bad value fails the same way wherever it is
read: a ``ConfigError`` naming the variable and what was expected, never a secret's value, never a traceback from
deep inside a library later on.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import TypeVar
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

T = TypeVar("T", int, float)


class ConfigError(ValueError):
    """A setting is missing or invalid. The message names the setting and never contains a secret."""


def _raw(environ: Mapping[str, str], name: str) -> str | None:
    value = environ.get(name)
    return None if value is None or value.strip() == "" else value.strip()


def choice(environ: Mapping[str, str], name: str, allowed: Sequence[str], default: str) -> str:
    value = _raw(environ, name) or default
    if value not in allowed:
        raise ConfigError(f"{name}={value!r} is not valid; expected one of: {', '.join(allowed)}.")
    return value


def _number(
    environ: Mapping[str, str],
    name: str,
    default: T,
    parse: Callable[[str], T],
    kind: str,
    minimum: T,
    maximum: T | float,
) -> T:
    raw = _raw(environ, name)
    if raw is None:
        return default
    expected = f"expected {kind} >= {minimum}" + (f" and <= {maximum}" if maximum != math.inf else "")
    try:
        value = parse(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not {kind}; {expected}.") from None
    if not math.isfinite(value):  # `inf` or `nan` would silently switch a threshold off
        raise ConfigError(f"{name}={raw!r} is not a finite number; {expected}.")
    if not minimum <= value <= maximum:
        raise ConfigError(f"{name}={value} is {'too small' if value < minimum else 'too large'}; {expected}.")
    return value


def positive_int(
    environ: Mapping[str, str], name: str, default: int, minimum: int = 1, maximum: float = math.inf
) -> int:
    return _number(environ, name, default, int, "an integer", minimum, maximum)


def positive_float(
    environ: Mapping[str, str], name: str, default: float, minimum: float = 0.0, maximum: float = math.inf
) -> float:
    return _number(environ, name, default, float, "a number", minimum, maximum)


# Names the zone database answers that are not a place's time: the machine's own zone (differs between containers),
# and tzdata's placeholders.
_NOT_A_PLACE = ("localtime", "Factory", "posixrules")


def timezone_setting(environ: Mapping[str, str], name: str, default: str) -> str:
    value = _raw(environ, name) or default
    try:
        ZoneInfo(value)
        if value in _NOT_A_PLACE or value.startswith(("posix/", "right/")):
            raise ValueError(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"{name}={value!r} is not an IANA time zone; expected e.g. America/New_York or Europe/Paris."
        ) from None
    return value


def date_setting(
    environ: Mapping[str, str],
    name: str,
    default: str,
    earliest: date | None = None,
    latest: date | None = None,
    why_latest: str = "",
) -> date:
    """A YYYY-MM-DD date, within [earliest, latest] when given (``why_latest`` says what ``latest`` is)."""
    value = _raw(environ, name) or default
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{name}={value!r} is not a date; expected YYYY-MM-DD.") from None
    if earliest is not None and day < earliest:
        raise ConfigError(f"{name}={day} is too early; expected a date from {earliest} on.")
    if latest is not None and day > latest:
        raise ConfigError(f"{name}={day} is in the future; expected a date up to {latest}{why_latest}.")
    return day


def http_url_setting(environ: Mapping[str, str], name: str, default: str) -> str:
    """An http(s) URL with a host, without a trailing slash."""
    value = (_raw(environ, name) or default).rstrip("/")
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ConfigError(f"{name}={value!r} must start with http:// or https:// and name a host.")
    return value


def cron_setting(environ: Mapping[str, str], name: str, default: str) -> str:
    """A cron expression Dagster's schedules accept (validated by Dagster itself, through its public API)."""
    from dagster import DagsterInvalidDefinitionError, ScheduleDefinition

    value = _raw(environ, name) or default
    try:
        ScheduleDefinition(name="cron_setting_check", cron_schedule=value, job_name="cron_setting_check")
    except DagsterInvalidDefinitionError:
        raise ConfigError(
            f"{name}={value!r} is not a valid cron expression; expected e.g. '0 * * * *'."
        ) from None
    return value
