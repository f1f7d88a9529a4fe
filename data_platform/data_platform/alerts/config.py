"""Alert settings from the environment: which destinations are on, and how hard to try each one.

A destination is on when its address is set. Secret values (TEAMS_WEBHOOK_URL, NTFY_TOKEN, SMTP_PASSWORD) are only
checked for presence and shape here; the resource receives them through ``EnvVar`` so they are resolved inside the
sensor process and never appear in definitions, run config or metadata. Error messages name the variable, never
its value.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlparse

from data_platform.alerts.destinations import destination_names
from data_platform.environment import ConfigError, positive_int

# Teams "incoming webhooks" are now Power Automate / Teams Workflows triggers ("Post to a channel when a webhook
# request is received"); the retired Office 365 connector URLs (webhook.office.com) no longer accept posts.
TEAMS_WORKFLOW_PATH = re.compile(
    r"^(/powerautomate/automations/direct(/cu/[0-9]+)?)?/workflows/[A-Za-z0-9_-]+/triggers/manual/paths/invoke/?$"
)
EMAIL_ADDRESS = re.compile(r"^[^@\s,]+@[^@\s,]+$")


@dataclass(frozen=True)
class AlertSettings:
    teams_enabled: bool
    ntfy_url: str | None
    ntfy_token_set: bool
    smtp_host: str | None
    smtp_port: int
    smtp_username: str | None
    smtp_password_set: bool
    email_from: str | None
    email_to: tuple[str, ...]
    timeout_seconds: int
    retries: int
    sensor_interval_seconds: int
    lookback_hours: int

    @property
    def email_enabled(self) -> bool:
        return self.smtp_host is not None

    @property
    def destinations(self) -> list[str]:
        return destination_names(teams=self.teams_enabled, ntfy=bool(self.ntfy_url), email=self.email_enabled)


def _validate_teams_url(url: str) -> None:
    parsed = urlparse(url.strip())
    if parsed.scheme != "https" or not parsed.hostname or not TEAMS_WORKFLOW_PATH.match(parsed.path):
        raise ConfigError(
            "TEAMS_WEBHOOK_URL is not a Teams Workflows webhook URL; expected "
            "https://<host>/workflows/<id>/triggers/manual/paths/invoke?...&sig=... "
            "(copy it from the channel's 'Post to a channel when a webhook request is received' workflow)."
        )
    if "sig=" not in parsed.query:
        raise ConfigError("TEAMS_WEBHOOK_URL has no sig= parameter; copy the whole URL from the workflow.")


def _validate_ntfy_url(url: str) -> str:
    parsed = urlparse(url.strip())
    topic = parsed.path.strip("/")
    if parsed.scheme not in ("http", "https") or not parsed.hostname or not topic or "/" in topic:
        raise ConfigError(
            f"NTFY_URL={url!r} is not an ntfy topic URL; expected https://<server>/<topic>, "
            "e.g. https://ntfy.sh/retail-platform-alerts."
        )
    if parsed.username or parsed.password or parsed.query:
        raise ConfigError("NTFY_URL must not carry credentials or parameters; put the token in NTFY_TOKEN.")
    return url.strip().rstrip("/")


def load_alert_settings(environ: Mapping[str, str] | None = None) -> AlertSettings:
    """Validate the alert configuration once. Raises ConfigError naming the first bad setting."""
    environ = os.environ if environ is None else environ

    teams_url = environ.get("TEAMS_WEBHOOK_URL", "").strip()
    if teams_url:
        _validate_teams_url(teams_url)

    ntfy_url = environ.get("NTFY_URL", "").strip() or None
    if ntfy_url:
        ntfy_url = _validate_ntfy_url(ntfy_url)
    ntfy_token_set = bool(environ.get("NTFY_TOKEN", "").strip())
    if ntfy_token_set and not ntfy_url:
        raise ConfigError("NTFY_TOKEN is set but NTFY_URL is not; set the topic URL too.")

    smtp_host = environ.get("SMTP_HOST", "").strip() or None
    smtp_username = environ.get("SMTP_USERNAME", "").strip() or None
    smtp_password_set = bool(environ.get("SMTP_PASSWORD", ""))
    email_from = environ.get("ALERT_EMAIL_FROM", "").strip() or None
    email_to = tuple(a.strip() for a in environ.get("ALERT_EMAIL_TO", "").split(",") if a.strip())
    if smtp_host:
        if not email_to:
            raise ConfigError("ALERT_EMAIL_TO must list at least one address when SMTP_HOST is set.")
        if not email_from:
            raise ConfigError("ALERT_EMAIL_FROM must be set when SMTP_HOST is set.")
        for name, address in [("ALERT_EMAIL_FROM", email_from)] + [("ALERT_EMAIL_TO", a) for a in email_to]:
            if not EMAIL_ADDRESS.match(address):
                raise ConfigError(f"{name} contains {address!r}, which is not an email address.")
        # Alerts go out over STARTTLS with a login: an unauthenticated relay is not an option we offer.
        if not smtp_username:
            raise ConfigError("SMTP_USERNAME must be set when SMTP_HOST is set (STARTTLS with AUTH).")
        if not smtp_password_set:
            raise ConfigError("SMTP_PASSWORD must be set when SMTP_HOST is set (STARTTLS with AUTH).")
    elif email_to or email_from or smtp_username:
        raise ConfigError("ALERT_EMAIL_TO/ALERT_EMAIL_FROM/SMTP_USERNAME are set but SMTP_HOST is not.")

    return AlertSettings(
        teams_enabled=bool(teams_url),
        ntfy_url=ntfy_url,
        ntfy_token_set=ntfy_token_set,
        smtp_host=smtp_host,
        smtp_port=positive_int(environ, "SMTP_PORT", 587, maximum=65_535),
        smtp_username=smtp_username,
        smtp_password_set=smtp_password_set,
        email_from=email_from,
        email_to=email_to,
        # A sensor tick must end: timeouts x attempts of every destination stay within minutes.
        timeout_seconds=positive_int(environ, "ALERT_TIMEOUT_SECONDS", 10, maximum=120),
        retries=positive_int(environ, "ALERT_RETRIES", 2, minimum=0, maximum=10),
        sensor_interval_seconds=positive_int(
            environ, "ALERT_SENSOR_INTERVAL_SECONDS", 60, minimum=10, maximum=86_400
        ),
        lookback_hours=positive_int(environ, "ALERT_LOOKBACK_HOURS", 24, maximum=24 * 30),
    )
