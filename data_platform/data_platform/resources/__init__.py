"""Resources shared by every code location, built from the validated platform settings."""

from __future__ import annotations

from dagster import EnvVar

from data_platform.lake_location import AZURE_SECRETS, parse_lake_url
from data_platform.resources.lake import LakeError, LakeResource
from data_platform.resources.warehouse import WarehouseResource
from data_platform.settings import PlatformSettings

__all__ = ["LakeError", "LakeResource", "WarehouseResource", "build_lake", "build_warehouse"]


def build_lake(settings: PlatformSettings) -> LakeResource:
    secrets = {}
    secret = AZURE_SECRETS.get(settings.azure_storage_auth)
    if secret and parse_lake_url(settings.lake_root_url).protocol == "abfs":
        # Resolved by Dagster at run time; a missing variable fails naming it, never showing a value.
        secrets[secret.resource_field] = EnvVar(secret.variable)
    return LakeResource(
        root_url=settings.lake_root_url,
        auth=settings.azure_storage_auth,
        account_name=settings.azure_storage_account_name,
        **secrets,
    )


def build_warehouse(settings: PlatformSettings, lake: LakeResource) -> WarehouseResource:
    return WarehouseResource(
        database_path=settings.duckdb_path,
        lake=lake,
        memory_limit=settings.duckdb_memory_limit,
        temp_directory=settings.duckdb_temp_directory,
        lock_wait_seconds=settings.duckdb_lock_wait_seconds,
    )
