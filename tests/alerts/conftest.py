"""Loopback stand-ins for Teams, ntfy and SMTP, trusted through a throwaway certificate."""

from __future__ import annotations

import pytest

from tests.alerts.receivers import https_receiver, self_signed_certificate, smtp_server

SMTP_USER = "dagster-alerts"
SECRETS = {
    "SMTP_PASSWORD": "smtp-pa55-Zq81",
    "NTFY_TOKEN": "tk_ntfysecret0042",
    "TEAMS_SIG": "teamsSig-Xy7-secret",
}


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    return self_signed_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def trust_certificate(certificate, monkeypatch):
    # The clients verify TLS as in production; they just trust our throwaway CA.
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(certificate[0]))


@pytest.fixture
def http_receiver(certificate, trust_certificate):
    with https_receiver(*certificate) as receiver:
        yield receiver


@pytest.fixture
def mailbox(certificate, trust_certificate):
    with smtp_server(*certificate, username=SMTP_USER, password=SECRETS["SMTP_PASSWORD"]) as box:
        yield box


@pytest.fixture
def alert_environment(http_receiver, mailbox, monkeypatch):
    """Every destination configured through the environment, as in deployment."""
    environment = {
        "TEAMS_WEBHOOK_URL": f"{http_receiver.base_url}/workflows/wf01/triggers/manual/paths/invoke"
        f"?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig={SECRETS['TEAMS_SIG']}",
        "NTFY_URL": f"{http_receiver.base_url}/platform-alerts",
        "NTFY_TOKEN": SECRETS["NTFY_TOKEN"],
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(mailbox.port),
        "SMTP_USERNAME": SMTP_USER,
        "SMTP_PASSWORD": SECRETS["SMTP_PASSWORD"],
        "ALERT_EMAIL_FROM": "dagster@retail.example",
        "ALERT_EMAIL_TO": "oncall@retail.example,data-team@retail.example",
        "ALERT_TIMEOUT_SECONDS": "2",
        "ALERT_RETRIES": "1",
        "DAGSTER_UI_BASE_URL": "https://dagster.retail.example",
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return environment


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        for name, value in SECRETS.items():
            assert value not in text, f"{name} leaked into an alert"
