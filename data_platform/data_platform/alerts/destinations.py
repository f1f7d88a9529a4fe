"""Deliver an alert to every configured destination: MS Teams, ntfy and email, all through Apprise.

Apprise is a maintained library that speaks all three protocols (the Teams Workflows webhook with an Adaptive Card,
ntfy with priorities and click-through links, SMTP with STARTTLS and AUTH), with per-service timeouts and retries.
We only map an :class:`Alert` onto each service. Destinations are sent in parallel, each with its own timeout and
retries, so one that is down or slow never holds back or breaks the others; a failure is reported, never raised.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlparse

import apprise
from apprise import NotifyFormat, NotifyType
from apprise.plugins.email import NotifyEmail
from apprise.plugins.ntfy import NotifyNtfy
from apprise.plugins.workflows import NotifyWorkflows
from dagster import ConfigurableResource
from pydantic import Field

from data_platform.alerts.messages import Alert, Severity
from data_platform.redaction import redact

logger = logging.getLogger(__name__)

NOTIFY_TYPES = {
    Severity.ERROR: NotifyType.FAILURE,
    Severity.WARN: NotifyType.WARNING,
    Severity.RECOVERED: NotifyType.SUCCESS,
}
# ntfy priorities: an ERROR buzzes the phone, a WARN is a normal notification, a recovery is quiet.
NTFY_PRIORITIES = {Severity.ERROR: "high", Severity.WARN: "default", Severity.RECOVERED: "low"}
# Every destination, in the order they are listed and sent.
DESTINATION_NAMES = ("teams", "ntfy", "email")


def destination_names(*, teams: bool, ntfy: bool, email: bool) -> list[str]:
    """The names of the destinations that are on, in DESTINATION_NAMES order."""
    on = {"teams": teams, "ntfy": ntfy, "email": email}
    return [name for name in DESTINATION_NAMES if on[name]]


@dataclass(frozen=True)
class Delivery:
    destination: str
    delivered: bool
    detail: str = ""


class AlertDestinations(ConfigurableResource):
    """Where alerts go. Each destination is optional; secrets arrive through ``EnvVar``."""

    teams_webhook_url: str | None = Field(
        default=None, description="Secret; pass EnvVar('TEAMS_WEBHOOK_URL')."
    )
    ntfy_url: str | None = Field(default=None, description="ntfy topic URL, e.g. https://ntfy.sh/<topic>.")
    ntfy_token: str | None = Field(default=None, description="Secret; pass EnvVar('NTFY_TOKEN').")
    smtp_host: str | None = Field(
        default=None, description="SMTP server; mail is sent with STARTTLS and AUTH."
    )
    smtp_port: int = Field(default=587)
    smtp_username: str | None = Field(default=None)
    smtp_password: str | None = Field(default=None, description="Secret; pass EnvVar('SMTP_PASSWORD').")
    email_from: str | None = Field(default=None)
    email_to: list[str] = Field(default_factory=list)
    timeout_seconds: float = Field(default=10, description="Connect and read timeout per attempt.")
    retries: int = Field(default=2, description="Attempts after the first one, per destination.")
    retry_wait_seconds: float = Field(default=1.0, description="Pause between attempts.")

    @property
    def configured(self) -> list[str]:
        return destination_names(
            teams=bool(self.teams_webhook_url),
            ntfy=bool(self.ntfy_url),
            email=bool(self.smtp_host and self.email_to),
        )

    def send(self, alert: Alert) -> list[Delivery]:
        """Send to every configured destination in parallel. Never raises; returns one Delivery per destination."""
        names = self.configured
        if not names:
            return []
        with ThreadPoolExecutor(max_workers=len(names), thread_name_prefix="alert") as pool:
            return list(pool.map(lambda name: self._send_one(name, alert), names))

    # -- one destination ----------------------------------------------------------------------------------------

    def _send_one(self, name: str, alert: Alert) -> Delivery:
        try:
            service = apprise.Apprise.instantiate(getattr(self, f"_{name}_service")(alert))
            if service is None:
                return Delivery(name, False, f"{name} is misconfigured (Apprise rejected the address)")
            notifier = apprise.Apprise()
            notifier.add(service)
            delivered = notifier.notify(
                title=alert.title,
                body=alert.markdown(),
                body_format=NotifyFormat.MARKDOWN,
                notify_type=NOTIFY_TYPES[alert.severity],
            )
        except Exception as exc:  # a destination must never break the sensor or the others
            return Delivery(name, False, redact(f"{type(exc).__name__}: {exc}")[:300])
        attempts = self.retries + 1
        return Delivery(
            name, bool(delivered), "" if delivered else f"not delivered after {attempts} attempt(s)"
        )

    def _common(self) -> dict:
        return {
            "cto": str(self.timeout_seconds),
            "rto": str(self.timeout_seconds),
            "retry": str(self.retries),
            "wait": str(self.retry_wait_seconds),
        }

    def _teams_service(self, alert: Alert) -> dict:
        # Apprise's own parser for the URL Teams gives you (host, workflow id, api version, signature).
        results = NotifyWorkflows.parse_native_url(self.teams_webhook_url or "")
        if not results:
            raise ValueError("TEAMS_WEBHOOK_URL is not a Teams Workflows webhook URL")
        results.update(self._common(), include_image=False, wrap=True)
        return results

    def _ntfy_service(self, alert: Alert) -> dict:
        parsed = urlparse(self.ntfy_url or "")
        schema = "ntfys" if parsed.scheme == "https" else "ntfy"
        netloc = parsed.hostname + (f":{parsed.port}" if parsed.port else "")
        results = NotifyNtfy.parse_url(f"{schema}://{netloc}/{parsed.path.strip('/')}")
        results.update(
            self._common(),
            priority=NTFY_PRIORITIES[alert.severity],
            xtags=["rotating_light" if alert.severity is Severity.ERROR else "warning"]
            if alert.severity is not Severity.RECOVERED
            else ["white_check_mark"],
            click=alert.link,
            include_image=False,
            format=NotifyFormat.MARKDOWN.value,
        )
        if self.ntfy_token:
            results.update(auth="token", token=self.ntfy_token)
        return results

    def _email_service(self, alert: Alert) -> dict:
        sender_domain = (self.email_from or "alerts@localhost").split("@", 1)[1]
        results = NotifyEmail.parse_url(
            f"mailtos://{sender_domain}:{self.smtp_port}?mode=starttls&format=html"
        )
        results.update(
            self._common(),
            smtp_host=self.smtp_host,
            from_addr=self.email_from,
            targets=list(self.email_to),
            user=self.smtp_username,
            password=self.smtp_password,
        )
        return results
