"""Alerts for every code location: sensors in `data_platform` that send to MS Teams, ntfy and email."""

from __future__ import annotations

from dagster import EnvVar

from data_platform.alerts.config import AlertSettings, load_alert_settings
from data_platform.alerts.destinations import AlertDestinations, Delivery
from data_platform.alerts.messages import Alert, Severity
from data_platform.alerts.sensors import RESOURCE_KEY, build_alert_sensors

__all__ = [
    "RESOURCE_KEY",
    "Alert",
    "AlertDestinations",
    "AlertSettings",
    "Delivery",
    "Severity",
    "build_alert_destinations",
    "build_alert_sensors",
    "load_alert_settings",
]


def build_alert_destinations(settings: AlertSettings) -> AlertDestinations:
    """The destinations resource. Secrets are passed as EnvVar, resolved only when the sensor runs."""
    return AlertDestinations(
        teams_webhook_url=EnvVar("TEAMS_WEBHOOK_URL") if settings.teams_enabled else None,
        ntfy_url=settings.ntfy_url,
        ntfy_token=EnvVar("NTFY_TOKEN") if settings.ntfy_token_set else None,
        smtp_host=settings.smtp_host,
        smtp_port=settings.smtp_port,
        smtp_username=settings.smtp_username,
        smtp_password=EnvVar("SMTP_PASSWORD") if settings.email_enabled else None,
        email_from=settings.email_from,
        email_to=list(settings.email_to),
        timeout_seconds=settings.timeout_seconds,
        retries=settings.retries,
    )
