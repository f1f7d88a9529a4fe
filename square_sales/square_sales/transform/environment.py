"""The environment a dbt invocation needs, taken from the Dagster resources (one source of truth for paths).

profiles.yml reads DUCKDB_PATH, the engine's bounds (DUCKDB_MEMORY_LIMIT, DUCKDB_TEMP_DIRECTORY) and
LAKE_ROOT_URL (and, on Azure, the storage account and the secret of the configured auth mode). dagster-dbt hands
the process environment to dbt, so these are set for the duration of one invocation and restored afterwards.
Secrets are passed on as environment only: never as args or vars.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from data_platform.resources.warehouse import WarehouseResource


def dbt_environment_values(warehouse: WarehouseResource) -> dict[str, str]:
    lake = warehouse.lake
    return {
        "DUCKDB_PATH": str(Path(warehouse.database_path).resolve()),
        "DUCKDB_MEMORY_LIMIT": warehouse.memory_limit,
        "DUCKDB_TEMP_DIRECTORY": str(Path(warehouse.spill_directory).resolve()),
        "LAKE_ROOT_URL": lake.url(),
        **lake.connection_environment(),
    }


@contextlib.contextmanager
def dbt_environment(warehouse: WarehouseResource) -> Iterator[None]:
    values = dbt_environment_values(warehouse)
    # DuckDB creates the database file and the spill folder, not their parents.
    Path(values["DUCKDB_PATH"]).parent.mkdir(parents=True, exist_ok=True)
    Path(values["DUCKDB_TEMP_DIRECTORY"]).parent.mkdir(parents=True, exist_ok=True)
    previous = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
