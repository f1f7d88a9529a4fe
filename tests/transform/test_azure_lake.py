"""The same dbt project builds the same marts from a lake on Azure Blob storage (Azurite), through dbt-duckdb's
adlfs filesystem and the profile target of the lake's auth mode."""

from __future__ import annotations

import pytest

from tests.conftest import azurite_lake
from tests.transform.conftest import FIRST_DAY, LAST_DAY
from tests.transform.pipeline import MART_TABLES, Pipeline


@pytest.mark.azurite
def test_marts_built_from_an_azurite_lake_equal_the_local_ones(built, azurite_server, monkeypatch, tmp_path):
    lake = azurite_lake(azurite_server, monkeypatch)
    files = built.lake.find("raw", suffix=".parquet")
    assert files
    for relative in files:
        lake.write_bytes(relative, built.lake.read_bytes(relative))

    on_azure = Pipeline(lake, tmp_path / "warehouse.duckdb")
    on_azure.rebuild_warehouse(FIRST_DAY, LAST_DAY)
    for table in MART_TABLES:
        assert on_azure.table(table) == built.table(table), f"{table} differs when read from Azure"
