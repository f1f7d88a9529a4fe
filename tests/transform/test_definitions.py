"""The dbt assets as Dagster shows them: lineage from the raw assets, groups and owners from dbt YAML, checks,
partitions, automation, the rebuild job; and a clear error when the manifest was not prepared."""

from __future__ import annotations

import subprocess
import sys

from dagster import AssetKey, AutomationCondition

from square_sales.transform.project import dbt_executable
from tests.support.definitions import load_location
from tests.support.processes import REPO_ROOT

defs = load_location("square_sales")
GRAPH = defs.get_repository_def().asset_graph


def node(key: str):
    return GRAPH.get(AssetKey.from_user_string(key))


def test_lineage_runs_from_the_raw_assets_to_the_marts():
    assert AssetKey(["square", "raw", "orders"]) in node("staging/base_square__orders").parent_keys
    assert AssetKey(["square", "raw", "locations"]) in node("staging/stg_square__locations").parent_keys
    upstream, frontier = set(), [AssetKey.from_user_string("marts/daily_sales_by_location")]
    while frontier:
        parents = GRAPH.get(frontier.pop()).parent_keys
        frontier += [p for p in parents if p not in upstream]
        upstream |= parents
    assert {
        AssetKey(["square", "raw", e]) for e in ("orders", "payments", "refunds", "locations")
    } <= upstream


def test_groups_owners_descriptions_and_columns_come_from_dbt_yaml():
    for key, group in [
        ("staging/stg_square__orders", "square_staging"),
        ("marts/daily_sales_by_location", "square_marts"),
        ("marts/dim_catalog_items", "square_marts"),
    ]:
        asset = node(key)
        assert asset.group_name == group
        assert asset.owners == ["team:data-platform"]
        assert asset.description
    columns = node("marts/daily_sales_by_location").metadata["dagster/column_schema"].columns
    assert {"net_sales", "total_collected"} <= {column.name for column in columns}


def test_dbt_tests_are_asset_checks():
    checks = {(c.asset_key.to_user_string(), c.name) for c in GRAPH.asset_check_keys}
    assert ("marts/fct_orders", "unique_fct_orders_order_id") in checks
    assert ("marts/fct_orders", "assert_no_order_in_two_business_days") in checks


def test_daily_models_follow_the_raw_partitions_and_react_to_any_repulled_day():
    raw, mart, dim = (
        node("square/raw/orders"),
        node("marts/daily_sales_by_location"),
        node("marts/dim_locations"),
    )
    assert mart.partitions_def == raw.partitions_def
    assert dim.partitions_def is None
    # Unlike plain eager(), the daily condition is not limited to the latest partition.
    assert "in_latest_time_window" not in str(mart.automation_condition)
    assert mart.automation_condition != AutomationCondition.eager()


def test_rebuild_job_and_automation_sensor_are_defined():
    assert defs.resolve_job_def("rebuild_warehouse") is not None
    sensor = next(s for s in defs.sensors if s.name == "square_dbt_automation")
    assert sensor.default_status.value == "RUNNING"


def test_dbt_comes_from_the_project_venv():
    assert dbt_executable() == str(REPO_ROOT / ".venv" / "bin" / "dbt")


def test_missing_manifest_fails_with_a_clear_message(tmp_path):
    # A dbt target folder without manifest.json: loading must fail and say how to prepare it.
    code = (
        "from pathlib import Path\n"
        "import square_sales.transform.project as p\n"
        f"p.dbt_manifest_path(Path({str(tmp_path)!r}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT, check=False
    )
    assert result.returncode != 0
    assert "DbtManifestMissing" in result.stderr
    assert "./platform.sh setup" in result.stderr
