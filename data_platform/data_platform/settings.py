"""Platform settings: one environment name, validated once, and the configuration that follows from it.

What differs between dev, staging and prod is *data* (the defaults table below plus environment variables),
never code paths. Secrets are not read here: they reach resources through Dagster ``EnvVar`` so their values
are resolved only inside the process that needs them and never land in run config or metadata.

Nothing is read at import: ``platform_settings()`` reads the environment once per process, when a code location
builds its definitions. Domains keep their own settings (e.g. ``square_sales.settings``) and use
``PlatformEnv`` and the readers of ``data_platform.environment`` for theirs.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from data_platform.environment import ConfigError, choice, http_url_setting, positive_int
from data_platform.lake_location import AZURE_AUTH_MODES, AZURE_SECRETS, parse_lake_url

__all__ = [
    "REPO_ROOT",
    "ConfigError",
    "PlatformEnv",
    "PlatformSettings",
    "load_settings",
    "platform_env",
    "platform_settings",
]

# The checkout (dev defaults only: deployments set every path explicitly).
REPO_ROOT = Path(__file__).resolve().parents[2]


class PlatformEnv(StrEnum):
    DEV = "dev"
    STAGING = "staging"
    PROD = "prod"


STORAGE_ACCOUNT_NAME = re.compile(r"^[a-z0-9]{3,24}$")

# Per-environment defaults. A value of None means "must be set explicitly in this environment".
ENVIRONMENT_DEFAULTS: dict[PlatformEnv, dict[str, str | None]] = {
    PlatformEnv.DEV: {
        "LAKE_ROOT_URL": str(REPO_ROOT / ".data" / "lake"),
        "DUCKDB_PATH": str(REPO_ROOT / ".data" / "warehouse.duckdb"),
        "AZURE_STORAGE_AUTH": "connection_string",
    },
    PlatformEnv.STAGING: {
        "LAKE_ROOT_URL": None,
        "DUCKDB_PATH": "/data/warehouse/warehouse.duckdb",
        "AZURE_STORAGE_AUTH": "default_credential",
    },
    PlatformEnv.PROD: {
        "LAKE_ROOT_URL": None,
        "DUCKDB_PATH": "/data/warehouse/warehouse.duckdb",
        "AZURE_STORAGE_AUTH": "default_credential",
    },
}


# The warehouse engine's bounds, the same in every environment unless set (README, Configuration).
DUCKDB_MEMORY_LIMIT_DEFAULT = "2GB"
DUCKDB_LOCK_WAIT_SECONDS_DEFAULT = 120
_BYTE_SIZE = re.compile(r"^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$", re.IGNORECASE)


@dataclass(frozen=True)
class PlatformSettings:
    env: PlatformEnv
    lake_root_url: str
    azure_storage_auth: str
    azure_storage_account_name: str | None
    duckdb_path: str
    dagster_ui_base_url: str
    duckdb_memory_limit: str  # DuckDB spills to duckdb_temp_directory beyond it
    duckdb_temp_directory: str
    duckdb_lock_wait_seconds: int  # how long a run waits for a warehouse file someone else holds open

    @property
    def azure_secret_variable(self) -> str | None:
        secret = AZURE_SECRETS.get(self.azure_storage_auth)
        return secret.variable if secret else None


def platform_env(environ: Mapping[str, str]) -> PlatformEnv:
    return PlatformEnv(choice(environ, "PLATFORM_ENV", [e.value for e in PlatformEnv], PlatformEnv.DEV.value))


def load_settings(environ: Mapping[str, str] | None = None) -> PlatformSettings:
    """Validate the platform settings in ``environ``. Raises ConfigError naming the first bad setting."""
    environ = os.environ if environ is None else environ
    env = platform_env(environ)
    defaults = ENVIRONMENT_DEFAULTS[env]

    def setting(name: str) -> str:
        value = environ.get(name) or defaults.get(name)
        if not value:
            raise ConfigError(f"{name} must be set when PLATFORM_ENV={env.value} (no default there).")
        return value.strip()

    lake_root_url = setting("LAKE_ROOT_URL")
    parse_lake_url(lake_root_url)  # fails early on an unsupported scheme
    duckdb_path = _duckdb_path(setting("DUCKDB_PATH"))
    return PlatformSettings(
        env=env,
        lake_root_url=lake_root_url,
        azure_storage_auth=choice(
            environ, "AZURE_STORAGE_AUTH", AZURE_AUTH_MODES, setting("AZURE_STORAGE_AUTH")
        ),
        azure_storage_account_name=_account_name(environ),
        duckdb_path=_duckdb_path(duckdb_path),
        dagster_ui_base_url=http_url_setting(environ, "DAGSTER_UI_BASE_URL", "http://127.0.0.1:3000"),
        duckdb_memory_limit=_duckdb_memory_limit(environ),
        duckdb_temp_directory=(environ.get("DUCKDB_TEMP_DIRECTORY") or f"{duckdb_path}.tmp").strip(),
        duckdb_lock_wait_seconds=positive_int(
            environ, "DUCKDB_LOCK_WAIT_SECONDS", DUCKDB_LOCK_WAIT_SECONDS_DEFAULT, minimum=0, maximum=3600
        ),
    )


def _duckdb_memory_limit(environ: Mapping[str, str]) -> str:
    value = (environ.get("DUCKDB_MEMORY_LIMIT") or DUCKDB_MEMORY_LIMIT_DEFAULT).strip()
    if not _BYTE_SIZE.match(value):
        raise ConfigError(f"DUCKDB_MEMORY_LIMIT={value!r} is not a size; expected e.g. 2GB, 1.5GB or 512MB.")
    return value


def _account_name(environ: Mapping[str, str]) -> str | None:
    name = (environ.get("AZURE_STORAGE_ACCOUNT_NAME") or "").strip() or None
    if name is not None and not STORAGE_ACCOUNT_NAME.match(name):
        raise ConfigError(
            f"AZURE_STORAGE_ACCOUNT_NAME={name!r} is not a storage account name; expected 3-24 lowercase letters "
            "and digits (the account, not its URL or a connection string)."
        )
    return name


def _duckdb_path(path: str) -> str:
    if Path(path).is_dir():
        raise ConfigError(f"DUCKDB_PATH={path!r} is a folder; expected the path of the warehouse file.")
    return path


@functools.cache
def platform_settings() -> PlatformSettings:
    """The settings of this process, read from its environment once (code servers and run workers alike)."""
    return load_settings()
