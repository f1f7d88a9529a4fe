"""After failing runs, no secret is anywhere: not in the command's output, the instance's runs, event logs and
compute logs, the lake, nor the alerts the sensors then try to deliver.

The runs fail the ways a bad day fails: Square answering 200 with errors, a Square (or a proxy) echoing the
token back in a 401, a paging loop, a lake with a wrong storage key. Every secret variable is set, as in production.
"""

from __future__ import annotations

import logging
import os
import subprocess
from pathlib import Path

import pytest
from dagster import DagsterInstance, DagsterRunStatus, build_sensor_context

from tests.faults.square_double import Answer, Request, misbehaving_square
from tests.support.cli import dg_launch
from tests.support.processes import REPO_ROOT, free_port

pytestmark = [pytest.mark.slow, pytest.mark.azurite]

TOKEN = "sq0atp-SECRET-token-4711"
SECRETS = {
    "SQUARE_ACCESS_TOKEN": TOKEN,
    "SMTP_PASSWORD": "smtp-SECRET-pa55",
    "NTFY_TOKEN": "tk_SECRET_ntfy_99",
    "TEAMS_WEBHOOK_URL sig": "teamsSigSECRET123",
    "AZURE_STORAGE_CONNECTION_STRING key": "V3JvbmdTZWNyZXRLZXkxMjM0NTY3ODkwYWJjZGVm",
}


REFUSING = {"token": True}


def _square(request: Request) -> Answer:
    if request.path == "/v2/locations":
        if REFUSING["token"]:
            # A proxy that echoes the request in its error: the token comes back in the answer.
            return Answer(
                {"errors": [{"code": "UNAUTHORIZED", "detail": f"Bearer {TOKEN} is not valid"}]}, 401
            )
        return Answer({"locations": [{"id": "L1", "timezone": "America/New_York"}]})
    if request.path == "/v2/orders/search":
        return Answer({"errors": [{"code": "INTERNAL_SERVER_ERROR", "detail": "try again"}]})
    return Answer({"cursor": "same", "payments": []})


def _environment(tmp_path: Path, square_url: str, lake_env: dict[str, str]) -> dict[str, str]:
    closed = free_port()  # alerts go to a port where nothing listens: every delivery fails and is logged
    home = tmp_path / "dagster_home"
    home.mkdir(exist_ok=True)
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SQUARE_", "LAKE_", "AZURE_", "ALERT_"))},
        **lake_env,
        "PLATFORM_ENV": "dev",
        "DAGSTER_HOME": str(home),
        "PYTHONPATH": str(REPO_ROOT),
        "SQUARE_BASE_URL": square_url,
        "SQUARE_ACCESS_TOKEN": TOKEN,
        "SQUARE_RETRY_MAX_SECONDS": "2",
        "TEAMS_WEBHOOK_URL": f"https://127.0.0.1:{closed}/workflows/wf1/triggers/manual/paths/invoke"
        f"?api-version=1&sig={SECRETS['TEAMS_WEBHOOK_URL sig']}",
        "NTFY_URL": f"https://127.0.0.1:{closed}/alerts",
        "NTFY_TOKEN": SECRETS["NTFY_TOKEN"],
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(closed),
        "SMTP_USERNAME": "alerts",
        "SMTP_PASSWORD": SECRETS["SMTP_PASSWORD"],
        "ALERT_EMAIL_FROM": "dagster@retail.example",
        "ALERT_EMAIL_TO": "oncall@retail.example",
        "ALERT_TIMEOUT_SECONDS": "1",
        "ALERT_RETRIES": "0",
    }


def _launch(env: dict[str, str], assets: str, partition: str | None = None) -> str:
    result = subprocess.run(
        dg_launch(assets, partition), env=env, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode != 0, "the run was meant to fail"
    return result.stdout + result.stderr


def _alert_sensor_output(env: dict[str, str], monkeypatch, caplog) -> str:
    from data_platform.alerts import (
        RESOURCE_KEY,
        build_alert_destinations,
        build_alert_sensors,
        load_alert_settings,
    )

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    texts = []
    with DagsterInstance.get() as instance, caplog.at_level(logging.DEBUG):
        resources = {RESOURCE_KEY: build_alert_destinations(load_alert_settings())}
        for sensor in build_alert_sensors("https://dagster.retail.example", interval_seconds=30):
            result = sensor.evaluate_tick(build_sensor_context(instance=instance, resources=resources))
            texts.append(repr(result))
        failed = instance.get_runs()
        assert failed and all(run.status == DagsterRunStatus.FAILURE for run in failed)
    return "\n".join([*texts, caplog.text])


def _files_under(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()]


def test_no_secret_anywhere_after_failing_runs(tmp_path, azurite_server, monkeypatch, caplog):
    wrong_key = azurite_server.connection_string.split("AccountKey=")[1].split(";")[0]
    bad_lake = {
        "LAKE_ROOT_URL": "abfs://lake-secrets/platform",
        "AZURE_STORAGE_AUTH": "connection_string",
        "AZURE_STORAGE_CONNECTION_STRING": azurite_server.connection_string.replace(
            wrong_key, SECRETS["AZURE_STORAGE_CONNECTION_STRING key"]
        ),
    }
    outputs = []
    with misbehaving_square(_square) as square:
        local = _environment(tmp_path, square.url, {"LAKE_ROOT_URL": str(tmp_path / "lake")})
        outputs.append(_launch(local, "square/raw/locations"))
        REFUSING["token"] = False
        outputs.append(_launch(local, "square/raw/orders", "2026-11-12"))
        outputs.append(_launch(local, "square/raw/payments", "2026-11-12"))
        outputs.append(_launch(_environment(tmp_path, square.url, bad_lake), "square/raw/catalog"))
    assert "refused the access token" in outputs[0] and "answered HTTP 200 with errors" in outputs[1]
    assert (
        "answered a cursor it had already given" in outputs[2]
        and "could not reach the lake root" in outputs[3]
    )
    outputs.append(_alert_sensor_output(local, monkeypatch, caplog))

    home = Path(local["DAGSTER_HOME"])
    stored = _files_under(home) + _files_under(tmp_path / "lake")
    assert any(path.suffix == ".db" for path in stored), "the instance's storage should have been scanned"
    for name, secret in SECRETS.items():
        for index, text in enumerate(outputs):
            assert secret not in text, f"{name} in the output of step {index}"
        for path in stored:
            assert secret.encode() not in path.read_bytes(), f"{name} in {path.relative_to(tmp_path)}"
