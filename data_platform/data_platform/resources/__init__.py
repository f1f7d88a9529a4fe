"""Resources shared by every code location, built from the validated platform settings."""

from __future__ import annotations

from dagster import EnvVar

from data_platform.resources.lake import LakeError, LakeResource, parse_lake_url
from data_platform.resources.warehouse import WarehouseResource
from data_platform.settings import AZURE_SECRET_VARIABLES, PlatformSettings

__all__ = [
    "LakeError",
    "LakeResource",
    "WarehouseResource",
    "build_lake",
    "build_warehouse",
    "parse_lake_url",
]


def build_lake(settings: PlatformSettings) -> LakeResource:
    secrets = {}
    if parse_lake_url(settings.lake_root_url).protocol == "abfs":
        variable = AZURE_SECRET_VARIABLES.get(settings.azure_storage_auth)
        if variable:
            # Resolved by Dagster at run time; a missing variable fails naming it, never showing a value.
            field = {
                "connection_string": "connection_string",
                "account_key": "account_key",
                "sas": "sas_token",
            }
            secrets[field[settings.azure_storage_auth]] = EnvVar(variable)
    return LakeResource(
        root_url=settings.lake_root_url,
        auth=settings.azure_storage_auth,
        account_name=settings.azure_storage_account_name,
        **secrets,
    )


def build_warehouse(settings: PlatformSettings, lake: LakeResource) -> WarehouseResource:
    return WarehouseResource(database_path=settings.duckdb_path, lake=lake)
