"""Alerts for every code location: run failures, failed asset checks and stale assets, to Teams, ntfy and email."""

import dagster as dg

from data_platform.alerts import (
    RESOURCE_KEY,
    build_alert_destinations,
    build_alert_sensors,
    load_alert_settings,
)
from data_platform.settings import platform_settings


@dg.definitions
def defs() -> dg.Definitions:
    alert_settings = load_alert_settings()
    return dg.Definitions(
        sensors=build_alert_sensors(
            platform_settings().dagster_ui_base_url,
            interval_seconds=alert_settings.sensor_interval_seconds,
            lookback_hours=alert_settings.lookback_hours,
        ),
        resources={RESOURCE_KEY: build_alert_destinations(alert_settings)},
    )
