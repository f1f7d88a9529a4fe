"""The warehouse: one DuckDB file, with the lake's filesystem registered so SQL can read lake URLs."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import duckdb
from dagster import ConfigurableResource
from pydantic import Field

from data_platform.resources.lake import LakeResource


class WarehouseResource(ConfigurableResource):
    database_path: str = Field(description="Path of the DuckDB file (the marts built by dbt live here).")
    lake: LakeResource

    @contextlib.contextmanager
    def get_connection(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        if not read_only:
            Path(self.database_path).parent.mkdir(parents=True, exist_ok=True)
        connection = duckdb.connect(self.database_path, read_only=read_only)
        try:
            self.lake.register_with_duckdb(connection)
            yield connection
        finally:
            connection.close()
