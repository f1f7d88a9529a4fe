"""Bad configuration of the ingestion fails early with a message that names the setting (and never a secret)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from dagster import EnvVar, materialize

from data_platform.resources.lake import LakeResource
from data_platform.settings import ConfigError
from square_sales.ingestion.client import SquareApi, SquareUnavailableError
from square_sales.ingestion.resource import SquareClientResource
from square_sales.settings import load_square_sales_settings
from tests.ingestion.support import error_text
from tests.support.definitions import LOAD_LOCATION_CODE, raw_assets
from tests.support.processes import REPO_ROOT, free_port

raw_locations = raw_assets()["locations"]


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("BACKFILL_WINDOW_DAYS", "0", "BACKFILL_WINDOW_DAYS=0 is too small"),
        ("BACKFILL_WINDOW_DAYS", "abc", "BACKFILL_WINDOW_DAYS='abc' is not an integer"),
        ("AUDIT_DAYS", "-3", "AUDIT_DAYS=-3 is too small"),
        ("REPORTING_TIMEZONE", "Mars/Olympus", "REPORTING_TIMEZONE='Mars/Olympus' is not an IANA time zone"),
        (
            "SQUARE_PARTITIONS_START_DATE",
            "01/03/2026",
            "SQUARE_PARTITIONS_START_DATE='01/03/2026' is not a date",
        ),
        ("BACKFILL_SCHEDULE_CRON", "every hour", "BACKFILL_SCHEDULE_CRON='every hour' is not a valid cron"),
        ("CHANGE_SENSOR_INTERVAL_SECONDS", "1", "CHANGE_SENSOR_INTERVAL_SECONDS=1 is too small"),
    ],
)
def test_invalid_domain_setting_is_named(variable, value, expected):
    with pytest.raises(ConfigError, match=expected.replace("(", r"\(").replace("?", r"\?")):
        load_square_sales_settings({variable: value})


def test_defaults_follow_the_contract():
    settings = load_square_sales_settings({})
    assert settings.backfill_window_days == 3
    assert settings.audit_days == 35
    assert settings.backfill_schedule_cron == "0 * * * *"
    assert settings.reporting_timezone == "America/New_York"


def _load_code_location(env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("BACKFILL_", "SQUARE_", "PLATFORM_"))}
    return subprocess.run(
        [sys.executable, "-c", LOAD_LOCATION_CODE.format(location="square_sales")],
        env={**base, "PYTHONPATH": str(REPO_ROOT), **env},
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO_ROOT,
    )


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"BACKFILL_WINDOW_DAYS": "abc"}, "BACKFILL_WINDOW_DAYS='abc' is not an integer"),
        ({"PLATFORM_ENV": "qa"}, "PLATFORM_ENV='qa' is not valid"),
    ],
)
def test_code_location_refuses_to_load_with_bad_configuration(env, expected):
    result = _load_code_location(env)
    assert result.returncode != 0
    assert "ConfigError" in result.stderr
    assert expected in result.stderr


def test_unknown_square_environment_and_bad_base_url_are_named():
    with pytest.raises(ConfigError, match="SQUARE_ENVIRONMENT='staging-ish' is not valid"):
        load_square_sales_settings({"SQUARE_ENVIRONMENT": "staging-ish"})
    with pytest.raises(ConfigError, match="SQUARE_BASE_URL='ftp://example' must start with http"):
        load_square_sales_settings({"SQUARE_BASE_URL": "ftp://example"})
    with pytest.raises(ConfigError, match="SQUARE_BASE_URL"):
        SquareApi("127.0.0.1:8765", "token-value")


def test_missing_token_fails_the_run_naming_the_variable(tmp_path, monkeypatch):
    monkeypatch.delenv("SQUARE_ACCESS_TOKEN", raising=False)
    square = SquareClientResource(base_url="http://127.0.0.1:9", access_token=EnvVar("SQUARE_ACCESS_TOKEN"))
    with pytest.raises(Exception, match="SQUARE_ACCESS_TOKEN"):
        materialize(
            [raw_locations], resources={"square": square, "lake": LakeResource(root_url=str(tmp_path))}
        )
    monkeypatch.setenv("SQUARE_ACCESS_TOKEN", "   ")
    with pytest.raises(Exception, match="SQUARE_ACCESS_TOKEN is empty"):
        materialize(
            [raw_locations], resources={"square": square, "lake": LakeResource(root_url=str(tmp_path))}
        )


def test_unreachable_base_url_fails_within_the_retry_budget_without_the_token(tmp_path):
    secret = "tok-unreachable-7f3a9c"
    port = free_port()  # nothing listens there
    square = SquareClientResource(
        base_url=f"http://127.0.0.1:{port}",
        access_token=secret,
        retry_max_seconds=2,
        request_timeout_seconds=1,
    )
    result = materialize(
        [raw_locations],
        resources={"square": square, "lake": LakeResource(root_url=str(tmp_path))},
        raise_on_error=False,
    )
    assert not result.success
    message = error_text(result.get_step_failure_events()[0].step_failure_data.error)
    assert f"127.0.0.1:{port}" in message
    assert SquareUnavailableError.__name__ in message
    assert "SQUARE_RETRY_MAX_SECONDS" in message
    assert secret not in message
    assert not list(tmp_path.rglob("*.parquet"))
