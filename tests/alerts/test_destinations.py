"""Alerts reach Teams, ntfy and email over their real protocols, and one broken destination spares the others."""

from __future__ import annotations

import time

import pytest
from dagster import build_resources

from data_platform.alerts import Alert, Severity, build_alert_destinations, load_alert_settings
from data_platform.settings import ConfigError
from tests.alerts.conftest import SECRETS, SMTP_USER, assert_no_secret

ALERT = Alert(
    severity=Severity.ERROR,
    headline="Check failed: square/raw/orders · no_duplicate_ids",
    code_location="square_sales",
    subject="square/raw/orders · no_duplicate_ids",
    partition="2026-11-18",
    what_failed="2 order id(s) appear more than once in 2026-11-18 (3 extra row(s))",
    figures={"duplicate_ids": "2", "extra_rows": "3"},
    link="https://dagster.retail.example/runs/abc-123",
)


def destinations():
    # Built exactly as data_platform/definitions.py builds it: secrets come in as EnvVar and resolve here.
    resource = build_alert_destinations(load_alert_settings())
    with build_resources({"alert_destinations": resource}) as resources:
        return resources.alert_destinations


def test_every_destination_receives_a_readable_alert(alert_environment, http_receiver, mailbox):
    deliveries = destinations().send(ALERT)
    assert [(d.destination, d.delivered) for d in deliveries] == [
        ("teams", True),
        ("ntfy", True),
        ("email", True),
    ]

    (teams,) = http_receiver.received("/workflows/")
    assert teams.query["sig"] == [SECRETS["TEAMS_SIG"]]  # the signed URL the workflow expects
    card = teams.json()
    assert card["type"] == "message"
    (attachment,) = card["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    content = attachment["content"]
    assert content["type"] == "AdaptiveCard"
    texts = [block["text"] for block in content["body"] if block["type"] == "TextBlock"]
    assert texts[0] == "[ERROR] Check failed: square/raw/orders · no_duplicate_ids"
    for expected in ("square_sales", "2026-11-18", "3 extra row(s)", "**duplicate_ids:** 2"):
        assert expected in texts[1]
    assert "[Open in Dagster](https://dagster.retail.example/runs/abc-123)" in texts[1]

    (ntfy,) = [r for r in http_receiver.requests if not r.path.startswith("/workflows/")]
    assert ntfy.headers["Authorization"] == f"Bearer {SECRETS['NTFY_TOKEN']}"
    assert ntfy.headers["X-Priority"] == "high"
    assert ntfy.headers["X-Click"] == "https://dagster.retail.example/runs/abc-123"
    message = ntfy.json()
    assert message["topic"] == "platform-alerts"
    assert message["title"] == texts[0] and "square_sales" in message["message"]

    # Apprise mails each recipient separately, every session over STARTTLS with AUTH (offered only after TLS).
    assert set(mailbox.logins) == {SMTP_USER}
    assert sorted(mailbox.envelopes) == [
        ("dagster@retail.example", ["data-team@retail.example"]),
        ("dagster@retail.example", ["oncall@retail.example"]),
    ]
    mail = mailbox.messages[0]
    assert mail["Subject"] == texts[0]
    html = mail.get_body(("html",)).get_content()
    assert "square_sales" in html and "https://dagster.retail.example/runs/abc-123" in html

    assert_no_secret(teams.body.decode(), ntfy.body.decode(), mail.as_string())


@pytest.mark.parametrize(("severity", "priority"), [(Severity.WARN, None), (Severity.RECOVERED, "low")])
def test_ntfy_priority_follows_severity(alert_environment, http_receiver, severity, priority):
    alert = Alert(severity, "Check failed: x", "square_sales", "x", "y")
    destinations().send(alert)
    (ntfy,) = [r for r in http_receiver.requests if not r.path.startswith("/workflows/")]
    assert ntfy.headers.get("X-Priority") == priority  # ntfy's default priority needs no header


def test_a_failing_and_a_hanging_destination_do_not_stop_email(alert_environment, http_receiver, mailbox):
    http_receiver.behaviour = {"/workflows/": "500", "/": "slow"}
    http_receiver.slow_seconds = 4  # beyond ALERT_TIMEOUT_SECONDS=2
    started = time.monotonic()
    deliveries = {d.destination: d for d in destinations().send(ALERT)}
    elapsed = time.monotonic() - started

    assert deliveries["email"].delivered and len(mailbox.messages) == 2  # one per recipient
    assert not deliveries["teams"].delivered and not deliveries["ntfy"].delivered
    assert "2 attempt(s)" in deliveries["teams"].detail
    assert len(http_receiver.received("/workflows/")) == 2  # first try + ALERT_RETRIES=1
    # Sent in parallel with bounded timeouts: two hanging attempts of 2 s plus a 1 s pause, not a pile-up.
    assert elapsed < 9, elapsed


def test_no_destination_configured_sends_nothing(monkeypatch):
    for name in ("TEAMS_WEBHOOK_URL", "NTFY_URL", "NTFY_TOKEN", "SMTP_HOST"):
        monkeypatch.delenv(name, raising=False)
    settings = load_alert_settings({})
    assert settings.destinations == []
    assert build_alert_destinations(settings).send(ALERT) == []


@pytest.mark.parametrize(
    ("environment", "variable"),
    [
        ({"TEAMS_WEBHOOK_URL": "https://acme.webhook.office.com/webhookb2/abc"}, "TEAMS_WEBHOOK_URL"),
        ({"NTFY_URL": "ntfy.sh"}, "NTFY_URL"),
        ({"NTFY_TOKEN": "tk"}, "NTFY_TOKEN"),
        ({"SMTP_HOST": "smtp.example", "ALERT_EMAIL_FROM": "a@b.c", "SMTP_USERNAME": "u"}, "ALERT_EMAIL_TO"),
        (
            {
                "SMTP_HOST": "smtp.example",
                "ALERT_EMAIL_TO": "x@y.z",
                "ALERT_EMAIL_FROM": "a@b.c",
                "SMTP_USERNAME": "u",
            },
            "SMTP_PASSWORD",
        ),
        ({"ALERT_RETRIES": "-1"}, "ALERT_RETRIES"),
        ({"SMTP_PORT": "smtp"}, "SMTP_PORT"),
    ],
)
def test_bad_alert_settings_name_the_variable(environment, variable):
    with pytest.raises(ConfigError, match=variable) as error:
        load_alert_settings(environment)
    assert "webhookb2/abc" not in str(error.value)  # a (secret) webhook URL is never echoed back
