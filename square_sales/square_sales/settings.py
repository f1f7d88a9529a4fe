"""Settings of the `square_sales` domain, validated once per process when the code location loads.

Only environment variables are read here. The Square access token is deliberately absent: it reaches the Square
resource through Dagster's ``EnvVar("SQUARE_ACCESS_TOKEN")`` so its value is resolved in the run process only and
never lands in run config, metadata or logs.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from data_platform.environment import (
    choice,
    cron_setting,
    date_setting,
    http_url_setting,
    positive_float,
    positive_int,
    timezone_setting,
)
from data_platform.settings import PlatformEnv, platform_env

SQUARE_ACCESS_TOKEN_VARIABLE = "SQUARE_ACCESS_TOKEN"


class SquareEnvironment(StrEnum):
    # The project's own Square API server (square_sandbox/), the embedded default for development.
    LOCAL_SANDBOX = "local"
    # Square's hosted sandbox and production.
    SANDBOX = "sandbox"
    PRODUCTION = "production"


SQUARE_BASE_URLS = {
    SquareEnvironment.LOCAL_SANDBOX: "http://127.0.0.1:8765",
    SquareEnvironment.SANDBOX: "https://connect.squareupsandbox.com",
    SquareEnvironment.PRODUCTION: "https://connect.squareup.com",
}
# Which Square each platform environment talks to unless SQUARE_ENVIRONMENT says otherwise.
SQUARE_ENVIRONMENT_DEFAULTS = {
    PlatformEnv.DEV: SquareEnvironment.LOCAL_SANDBOX,
    PlatformEnv.STAGING: SquareEnvironment.SANDBOX,
    PlatformEnv.PROD: SquareEnvironment.PRODUCTION,
}

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
# Square took its first payments in 2009: an earlier start date is a typo (and thousands of empty partitions).
EARLIEST_START_DATE = date(2009, 1, 1)


@dataclass(frozen=True)
class SquareSalesSettings:
    square_environment: SquareEnvironment
    square_base_url: str
    reporting_timezone: str
    partitions_start_date: date
    backfill_window_days: int
    backfill_schedule_cron: str
    change_sensor_interval_seconds: int
    audit_days: int
    audit_schedule_cron: str
    request_timeout_seconds: float
    retry_max_seconds: float


def _partitions_start_date(environ: Mapping[str, str], timezone: str) -> date:
    """The first partition: not after today in the reporting zone (there would be no partition at all, and every
    schedule tick would fail), not before Square existed."""
    today = datetime.now(ZoneInfo(timezone)).date()
    return date_setting(
        environ,
        "SQUARE_PARTITIONS_START_DATE",
        DEFAULTS["SQUARE_PARTITIONS_START_DATE"],
        earliest=EARLIEST_START_DATE,
        latest=today,
        why_latest=f" (today in REPORTING_TIMEZONE={timezone})",
    )


def load_square_sales_settings(environ: Mapping[str, str] | None = None) -> SquareSalesSettings:
    """Validate the domain's settings in ``environ``. Raises ConfigError naming the first bad variable."""
    environ = os.environ if environ is None else environ
    square_environment = SquareEnvironment(
        choice(
            environ,
            "SQUARE_ENVIRONMENT",
            [e.value for e in SquareEnvironment],
            SQUARE_ENVIRONMENT_DEFAULTS[platform_env(environ)].value,
        )
    )
    timezone = timezone_setting(environ, "REPORTING_TIMEZONE", DEFAULTS["REPORTING_TIMEZONE"])
    return SquareSalesSettings(
        square_environment=square_environment,
        square_base_url=http_url_setting(environ, "SQUARE_BASE_URL", SQUARE_BASE_URLS[square_environment]),
        reporting_timezone=timezone,
        partitions_start_date=_partitions_start_date(environ, timezone),
        # An hourly re-pull of more than a month would be a mistake, not a wider safety net.
        backfill_window_days=positive_int(
            environ, "BACKFILL_WINDOW_DAYS", DEFAULTS["BACKFILL_WINDOW_DAYS"], maximum=31
        ),
        backfill_schedule_cron=cron_setting(
            environ, "BACKFILL_SCHEDULE_CRON", DEFAULTS["BACKFILL_SCHEDULE_CRON"]
        ),
        change_sensor_interval_seconds=positive_int(
            environ,
            "CHANGE_SENSOR_INTERVAL_SECONDS",
            DEFAULTS["CHANGE_SENSOR_INTERVAL_SECONDS"],
            minimum=10,
            maximum=86_400,
        ),
        audit_days=positive_int(environ, "AUDIT_DAYS", DEFAULTS["AUDIT_DAYS"], maximum=366),
        audit_schedule_cron=cron_setting(environ, "AUDIT_SCHEDULE_CRON", DEFAULTS["AUDIT_SCHEDULE_CRON"]),
        request_timeout_seconds=positive_float(
            environ,
            "SQUARE_REQUEST_TIMEOUT_SECONDS",
            DEFAULTS["SQUARE_REQUEST_TIMEOUT_SECONDS"],
            minimum=1.0,
            maximum=300.0,
        ),
        retry_max_seconds=positive_float(
            environ,
            "SQUARE_RETRY_MAX_SECONDS",
            DEFAULTS["SQUARE_RETRY_MAX_SECONDS"],
            minimum=1.0,
            maximum=3600.0,
        ),
    )


@functools.cache
def square_sales_settings() -> SquareSalesSettings:
    """The domain's settings for this process, read from its environment once."""
    return load_square_sales_settings()
