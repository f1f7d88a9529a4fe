from __future__ import annotations

import pytest

from data_platform.settings import ConfigError, PlatformEnv, load_settings
from square_sales.settings import SquareEnvironment, load_square_sales_settings
from tests.support.definitions import LOAD_LOCATION_CODE


def test_dev_is_the_default_and_needs_nothing():
    settings = load_settings({})
    assert settings.env is PlatformEnv.DEV
    assert settings.lake_root_url.endswith(".data/lake")
    square = load_square_sales_settings({})
    assert square.square_environment is SquareEnvironment.LOCAL_SANDBOX
    assert square.square_base_url.startswith("http://127.0.0.1")


def test_unknown_environment_names_the_setting_and_choices():
    with pytest.raises(
        ConfigError, match=r"PLATFORM_ENV='prd' is not valid; expected one of: dev, staging, prod"
    ):
        load_settings({"PLATFORM_ENV": "prd"})


def test_prod_requires_an_explicit_lake_and_defaults_to_square_production():
    with pytest.raises(ConfigError, match="LAKE_ROOT_URL must be set when PLATFORM_ENV=prod"):
        load_settings({"PLATFORM_ENV": "prod"})
    environ = {"PLATFORM_ENV": "prod", "LAKE_ROOT_URL": "abfss://lake@acct.dfs.core.windows.net/raw"}
    settings = load_settings(environ)
    assert load_square_sales_settings(environ).square_base_url == "https://connect.squareup.com"
    assert settings.azure_storage_auth == "default_credential"


def test_staging_uses_square_sandbox():
    settings = load_square_sales_settings({"PLATFORM_ENV": "staging", "LAKE_ROOT_URL": "abfs://lake-staging"})
    assert settings.square_base_url == "https://connect.squareupsandbox.com"


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"LAKE_ROOT_URL": "s3://bucket/x"}, "unsupported scheme 's3'"),
        ({"LAKE_ROOT_URL": "abfs:///nocontainer"}, "names no container"),
        ({"AZURE_STORAGE_AUTH": "password"}, "AZURE_STORAGE_AUTH='password' is not valid"),
    ],
)
def test_bad_settings_give_one_clear_error(environ, message):
    with pytest.raises(ConfigError, match=message):
        load_settings(environ)


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"SQUARE_ENVIRONMENT": "live"}, "SQUARE_ENVIRONMENT='live' is not valid"),
        ({"SQUARE_BASE_URL": "ftp://x"}, "SQUARE_BASE_URL='ftp://x' must start with http"),
    ],
)
def test_bad_square_settings_give_one_clear_error(environ, message):
    with pytest.raises(ConfigError, match=message):
        load_square_sales_settings(environ)


def test_a_code_location_reports_a_bad_setting_without_a_traceback_soup(tmp_path):
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", LOAD_LOCATION_CODE.format(location="data_platform")],
        env={"PLATFORM_ENV": "qa", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "ConfigError: PLATFORM_ENV='qa' is not valid" in result.stderr
