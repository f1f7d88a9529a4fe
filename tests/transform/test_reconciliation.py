"""The mart reconciles with the raw layer, and the reconciliation check catches a mart that drifts from it."""

from __future__ import annotations

import duckdb
from dagster import AssetCheckKey, AssetKey

from data_platform.resources.warehouse import WarehouseResource
from square_sales.transform.environment import dbt_environment
from square_sales.transform.project import build_dbt_resource
from tests.transform.pipeline import Pipeline

CHECK = AssetCheckKey(AssetKey(["marts", "daily_sales_by_location"]), "assert_daily_sales_reconcile_with_raw")


def reconciliation_passes(pipeline: Pipeline) -> bool:
    warehouse = WarehouseResource(database_path=str(pipeline.database_path), lake=pipeline.lake)
    with dbt_environment(warehouse):
        invocation = build_dbt_resource(pipeline.lake).cli(
            ["test", "--select", CHECK.name], raise_on_error=False
        )
        invocation.wait()
    return invocation.is_successful()


def test_reconciliation_is_an_asset_check_that_passed_on_the_built_marts(built: Pipeline):
    records = built.instance.event_log_storage.get_latest_asset_check_execution_by_key([CHECK])
    assert CHECK in records, "the reconciliation did not run as an asset check of daily_sales_by_location"
    assert records[CHECK].status.value == "SUCCEEDED"
    assert records[CHECK].event.asset_check_evaluation.passed


def test_reconciliation_fails_when_the_mart_drifts_from_raw(built: Pipeline, tmp_path):
    drifted = built.copy_to(tmp_path / "drifted")
    with duckdb.connect(str(drifted.database_path)) as connection:
        connection.execute(
            "update marts.daily_sales_by_location set total_collected = total_collected + 1 "
            "where (location_id, business_date) = "
            "(select (location_id, business_date) from marts.daily_sales_by_location order by all limit 1)"
        )
    assert reconciliation_passes(built)
    assert not reconciliation_passes(drifted)
