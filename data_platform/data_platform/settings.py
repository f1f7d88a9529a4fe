"""Platform settings: one environment name, validated once, and the configuration that follows from it.

What differs between dev, staging and prod is *data* (the defaults table below plus environment variables),
never code paths. Secrets are not read here: they reach resources through Dagster ``EnvVar`` so their values
are resolved only inside the process that needs them and never land in run config or metadata.

Reading ``os.environ`` is the only thing this module does at import time of a code location.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


class ConfigError(ValueError):
    """A setting is missing or invalid. The message names the setting and never contains a secret."""


class PlatformEnv(StrEnum):
    DEV = "dev"
    STAGING = "staging"
    PROD = "prod"


class SquareEnvironment(StrEnum):
    # The project's own Square API server (square_sandbox), the embedded default for development.
    LOCAL_SANDBOX = "local"
    # Square's hosted sandbox and production.
    SANDBOX = "sandbox"
    PRODUCTION = "production"


SQUARE_BASE_URLS = {
    SquareEnvironment.LOCAL_SANDBOX: "http://127.0.0.1:8765",
    SquareEnvironment.SANDBOX: "https://connect.squareupsandbox.com",
    SquareEnvironment.PRODUCTION: "https://connect.squareup.com",
}

# Per-environment defaults. A value of None means "must be set explicitly in this environment".
ENVIRONMENT_DEFAULTS: dict[PlatformEnv, dict[str, str | None]] = {
    PlatformEnv.DEV: {
        "LAKE_ROOT_URL": str(REPO_ROOT / ".data" / "lake"),
        "DUCKDB_PATH": str(REPO_ROOT / ".data" / "warehouse.duckdb"),
        "SQUARE_ENVIRONMENT": SquareEnvironment.LOCAL_SANDBOX.value,
        "AZURE_STORAGE_AUTH": "connection_string",
    },
    PlatformEnv.STAGING: {
        "LAKE_ROOT_URL": None,
        "DUCKDB_PATH": "/data/warehouse/warehouse.duckdb",
        "SQUARE_ENVIRONMENT": SquareEnvironment.SANDBOX.value,
        "AZURE_STORAGE_AUTH": "default_credential",
    },
    PlatformEnv.PROD: {
        "LAKE_ROOT_URL": None,
        "DUCKDB_PATH": "/data/warehouse/warehouse.duckdb",
        "SQUARE_ENVIRONMENT": SquareEnvironment.PRODUCTION.value,
        "AZURE_STORAGE_AUTH": "default_credential",
    },
}

AZURE_AUTH_MODES = ("connection_string", "account_key", "sas", "default_credential", "anonymous")
# The environment variable holding the secret for each Azure auth mode (resolved later through EnvVar).
AZURE_SECRET_VARIABLES = {
    "connection_string": "AZURE_STORAGE_CONNECTION_STRING",
    "account_key": "AZURE_STORAGE_ACCOUNT_KEY",
    "sas": "AZURE_STORAGE_SAS_TOKEN",
}


def choice(environ: Mapping[str, str], name: str, allowed: list[str] | tuple[str, ...], default: str) -> str:
    value = (environ.get(name) or default).strip()
    if value not in allowed:
        raise ConfigError(f"{name}={value!r} is not valid; expected one of: {', '.join(allowed)}.")
    return value


def positive_int(environ: Mapping[str, str], name: str, default: int, minimum: int = 1) -> int:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not an integer; expected an integer >= {minimum}.") from None
    if value < minimum:
        raise ConfigError(f"{name}={value} is too small; expected an integer >= {minimum}.")
    return value


def positive_float(environ: Mapping[str, str], name: str, default: float, minimum: float = 0.0) -> float:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw.strip())
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a number; expected a number >= {minimum}.") from None
    if value < minimum:
        raise ConfigError(f"{name}={value} is too small; expected a number >= {minimum}.")
    return value


@dataclass(frozen=True)
class PlatformSettings:
    env: PlatformEnv
    lake_root_url: str
    azure_storage_auth: str
    azure_storage_account_name: str | None
    duckdb_path: str
    square_environment: SquareEnvironment
    square_base_url: str
    dagster_ui_base_url: str

    @property
    def azure_secret_variable(self) -> str | None:
        return AZURE_SECRET_VARIABLES.get(self.azure_storage_auth)


def load_settings(environ: Mapping[str, str] | None = None) -> PlatformSettings:
    """Validate the platform environment once. Raises ConfigError naming the first bad setting."""
    from data_platform.resources.lake import (
        parse_lake_url,  # local import: lake imports ConfigError from here
    )

    environ = os.environ if environ is None else environ
    env = PlatformEnv(choice(environ, "PLATFORM_ENV", [e.value for e in PlatformEnv], PlatformEnv.DEV.value))
    defaults = ENVIRONMENT_DEFAULTS[env]

    def setting(name: str) -> str:
        value = environ.get(name) or defaults.get(name)
        if not value:
            raise ConfigError(f"{name} must be set when PLATFORM_ENV={env.value} (no default there).")
        return value.strip()

    lake_root_url = setting("LAKE_ROOT_URL")
    parse_lake_url(lake_root_url)  # fails early on an unsupported scheme
    square_environment = SquareEnvironment(
        choice(
            environ,
            "SQUARE_ENVIRONMENT",
            [s.value for s in SquareEnvironment],
            setting("SQUARE_ENVIRONMENT"),
        )
    )
    square_base_url = (environ.get("SQUARE_BASE_URL") or SQUARE_BASE_URLS[square_environment]).rstrip("/")
    if not square_base_url.startswith(("http://", "https://")):
        raise ConfigError(f"SQUARE_BASE_URL={square_base_url!r} must start with http:// or https://.")
    return PlatformSettings(
        env=env,
        lake_root_url=lake_root_url,
        azure_storage_auth=choice(
            environ, "AZURE_STORAGE_AUTH", AZURE_AUTH_MODES, setting("AZURE_STORAGE_AUTH")
        ),
        azure_storage_account_name=environ.get("AZURE_STORAGE_ACCOUNT_NAME") or None,
        duckdb_path=setting("DUCKDB_PATH"),
        square_environment=square_environment,
        square_base_url=square_base_url,
        dagster_ui_base_url=(environ.get("DAGSTER_UI_BASE_URL") or "http://127.0.0.1:3000").rstrip("/"),
    )
