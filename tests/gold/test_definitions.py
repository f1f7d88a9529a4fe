"""The gold tables as Dagster shows them: one asset per mart, downstream of it, partitioned like it, with its check
and the warehouse pool; automated with the marts (a re-pulled raw day is requested for its gold tables in the same
tick as for its dbt models) and rebuilt whole by the rebuild job."""

from __future__ import annotations

from dagster import AssetKey, DagsterInstance, evaluate_automation_conditions

from square_sales.gold.tables import MATCHES_MART_CHECK
from square_sales.transform.automation import FULL_REFRESH_RUN_CONFIG
from tests.gold.support import GOLD_TABLES
from tests.support.definitions import load_location
from tests.transform.test_automation import RAW_DAILY, RAW_SNAPSHOTS, materialize_events, requested_partitions

DEFS = load_location("square_sales")
GRAPH = DEFS.get_repository_def().asset_graph
OLD_DAY = "2026-03-10"


def test_each_mart_has_a_gold_asset_downstream_of_it():
    for table in GOLD_TABLES:
        node = GRAPH.get(table.key)
        assert node.parent_keys == {table.mart_key}
        assert node.group_name == "square_gold"
        assert (node.partitions_def is not None) is table.daily
        assert node.partitions_def == GRAPH.get(table.mart_key).partitions_def
        assert (table.key, MATCHES_MART_CHECK) in {(c.asset_key, c.name) for c in GRAPH.asset_check_keys}
        assert GRAPH.get(table.key).pools == {"duckdb_writer"}, "publishing opens the warehouse file"


def test_a_repulled_day_requests_its_gold_tables_with_its_marts():
    instance = DagsterInstance.ephemeral()
    result = evaluate_automation_conditions(defs=DEFS, instance=instance)
    materialize_events(instance, RAW_SNAPSHOTS)
    materialize_events(instance, RAW_DAILY, OLD_DAY)
    result = evaluate_automation_conditions(defs=DEFS, instance=instance, cursor=result.cursor)
    requested = requested_partitions(result)
    # Same tick, same partition: the sensor's run builds the marts, then publishes them.
    assert requested[AssetKey(["marts", "daily_sales_by_location"])] == {OLD_DAY}
    assert requested[AssetKey(["gold", "daily_sales_by_location"])] == {OLD_DAY}
    assert requested[AssetKey(["gold", "dim_locations"])] == {None}


def test_the_rebuild_job_republishes_every_gold_table_whole():
    job = DEFS.resolve_job_def("rebuild_warehouse")
    assert {table.key for table in GOLD_TABLES} <= set(job.asset_layer.selected_asset_keys)
    ops = FULL_REFRESH_RUN_CONFIG["ops"]
    assert (
        ops["square_gold_daily_tables"]
        == ops["square_gold_reference_tables"]
        == {"config": {"full_refresh": True}}
    )
