"""Settings of the `square_sales` domain, validated once when the code location loads.

Only environment variables are read here. The Square access token is deliberately absent: it reaches the Square
resource through Dagster's ``EnvVar("SQUARE_ACCESS_TOKEN")`` so its value is resolved in the run process only and
never lands in run config, metadata or logs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from data_platform.settings import ConfigError, positive_float, positive_int

SQUARE_ACCESS_TOKEN_VARIABLE = "SQUARE_ACCESS_TOKEN"

DEFAULTS = {
    "REPORTING_TIMEZONE": "America/New_York",
    "SQUARE_PARTITIONS_START_DATE": "2026-01-01",
    "BACKFILL_WINDOW_DAYS": 3,
    "BACKFILL_SCHEDULE_CRON": "0 * * * *",
    "CHANGE_SENSOR_INTERVAL_SECONDS": 300,
    "AUDIT_DAYS": 35,
    "AUDIT_SCHEDULE_CRON": "30 6 * * *",
    "SQUARE_REQUEST_TIMEOUT_SECONDS": 30.0,
    "SQUARE_RETRY_MAX_SECONDS": 300.0,
}


@dataclass(frozen=True)
class SquareSalesSettings:
    reporting_timezone: str
    partitions_start_date: date
    backfill_window_days: int
    backfill_schedule_cron: str
    change_sensor_interval_seconds: int
    audit_days: int
    audit_schedule_cron: str
    request_timeout_seconds: float
    retry_max_seconds: float


def _timezone_setting(environ: Mapping[str, str], name: str) -> str:
    value = (environ.get(name) or DEFAULTS[name]).strip()
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"{name}={value!r} is not an IANA time zone; expected e.g. America/New_York or Europe/Paris."
        ) from None
    return value


def _date_setting(environ: Mapping[str, str], name: str) -> date:
    value = (environ.get(name) or DEFAULTS[name]).strip()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{name}={value!r} is not a date; expected YYYY-MM-DD.") from None


def _cron_setting(environ: Mapping[str, str], name: str) -> str:
    from dagster._utils.schedules import is_valid_cron_string  # the same check Dagster applies later

    value = (environ.get(name) or DEFAULTS[name]).strip()
    if not is_valid_cron_string(value):
        raise ConfigError(f"{name}={value!r} is not a valid cron expression; expected e.g. '0 * * * *'.")
    return value


def load_square_sales_settings(environ: Mapping[str, str] | None = None) -> SquareSalesSettings:
    """Validate the domain's settings. Raises ConfigError naming the first bad variable."""
    environ = os.environ if environ is None else environ
    return SquareSalesSettings(
        reporting_timezone=_timezone_setting(environ, "REPORTING_TIMEZONE"),
        partitions_start_date=_date_setting(environ, "SQUARE_PARTITIONS_START_DATE"),
        backfill_window_days=positive_int(environ, "BACKFILL_WINDOW_DAYS", DEFAULTS["BACKFILL_WINDOW_DAYS"]),
        backfill_schedule_cron=_cron_setting(environ, "BACKFILL_SCHEDULE_CRON"),
        change_sensor_interval_seconds=positive_int(
            environ, "CHANGE_SENSOR_INTERVAL_SECONDS", DEFAULTS["CHANGE_SENSOR_INTERVAL_SECONDS"], minimum=10
        ),
        audit_days=positive_int(environ, "AUDIT_DAYS", DEFAULTS["AUDIT_DAYS"]),
        audit_schedule_cron=_cron_setting(environ, "AUDIT_SCHEDULE_CRON"),
        request_timeout_seconds=positive_float(
            environ, "SQUARE_REQUEST_TIMEOUT_SECONDS", DEFAULTS["SQUARE_REQUEST_TIMEOUT_SECONDS"], minimum=1.0
        ),
        retry_max_seconds=positive_float(
            environ, "SQUARE_RETRY_MAX_SECONDS", DEFAULTS["SQUARE_RETRY_MAX_SECONDS"], minimum=1.0
        ),
    )
