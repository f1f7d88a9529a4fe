"""The generic `data_platform` code location: shared resources, platform jobs and cross-location sensors."""

from __future__ import annotations

from dagster import Definitions

from data_platform.alerts import (
    RESOURCE_KEY,
    build_alert_destinations,
    build_alert_sensors,
    load_alert_settings,
)
from data_platform.resources import build_lake, build_warehouse
from data_platform.settings import load_settings

settings = load_settings()
alert_settings = load_alert_settings()
lake = build_lake(settings)

defs = Definitions(
    sensors=build_alert_sensors(
        settings.dagster_ui_base_url,
        interval_seconds=alert_settings.sensor_interval_seconds,
        lookback_hours=alert_settings.lookback_hours,
    ),
    resources={
        "lake": lake,
        "warehouse": build_warehouse(settings, lake),
        RESOURCE_KEY: build_alert_destinations(alert_settings),
    },
)
