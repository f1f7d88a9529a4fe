"""Where the lake is and how to authenticate to it: the parsed ``LAKE_ROOT_URL`` and the Azure auth modes.

Pure values only (no I/O), shared by the settings (which validate the URL once) and the lake resource (which
connects). Each Azure auth mode that needs a secret names the one environment variable holding it and the lake
resource field it fills; that table is the single place that pairing is written down.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from data_platform.environment import ConfigError

AZURE_SCHEMES = ("abfs", "abfss", "az")
AZURE_AUTH_MODES = ("connection_string", "account_key", "sas", "default_credential", "anonymous")


@dataclass(frozen=True)
class AzureSecret:
    variable: str  # the environment variable holding the secret (resolved through Dagster's EnvVar)
    resource_field: str  # the LakeResource field it fills


# The secret each Azure auth mode needs; default_credential and anonymous need none.
AZURE_SECRETS = {
    "connection_string": AzureSecret("AZURE_STORAGE_CONNECTION_STRING", "connection_string"),
    "account_key": AzureSecret("AZURE_STORAGE_ACCOUNT_KEY", "account_key"),
    "sas": AzureSecret("AZURE_STORAGE_SAS_TOKEN", "sas_token"),
}


@dataclass(frozen=True)
class LakeLocation:
    protocol: str  # "file" or "abfs"
    root: str  # an absolute local path, or "container[/prefix]"
    account_name: str | None = None

    def join(self, relative: str) -> str:
        relative = relative.strip("/")
        return f"{self.root.rstrip('/')}/{relative}" if relative else self.root


def parse_lake_url(url: str) -> LakeLocation:
    """``/abs/path``, ``file:///abs/path``, ``abfs://container/prefix`` or
    ``abfss://container@account.dfs.core.windows.net/prefix``."""
    if not url or not url.strip():
        raise ConfigError(
            "LAKE_ROOT_URL is empty; expected a local path, file:// URL or abfs://container/prefix."
        )
    url = url.strip()
    parsed = urlparse(url)
    scheme = parsed.scheme.lower()
    if scheme in ("", "file") or (len(scheme) == 1 and url[1:3] == ":\\"):
        path = parsed.path if scheme == "file" else url
        return LakeLocation("file", str(Path(path).expanduser().resolve()))
    if scheme in AZURE_SCHEMES:
        container, _, account_host = parsed.netloc.partition("@")
        if not container:
            raise ConfigError(
                f"LAKE_ROOT_URL={url!r} names no container; expected abfs://<container>/<prefix>."
            )
        account_name = account_host.split(".", 1)[0] if account_host else None
        root = container + parsed.path.rstrip("/")
        return LakeLocation("abfs", root, account_name)
    raise ConfigError(
        f"LAKE_ROOT_URL={url!r} has unsupported scheme {scheme!r}; use a local path, file://, abfs:// or abfss://."
    )
