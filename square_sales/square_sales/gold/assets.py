"""The gold tables as Dagster assets: `gold/<mart>` for every mart, downstream of the dbt model it publishes.

Separate assets rather than a last step of the dbt run: each table gets its own lineage, materialization metadata
(rows, Delta version, URL) and check (`matches_mart`), and can be re-published alone. They follow the marts
automatically: the dbt automation sensor also targets them (transform/__init__.py), so a re-pulled raw day is
requested for its dbt models and its gold tables in the same tick, and both run in one run, gold after dbt.

Publishing reads the warehouse file, and an open DuckDB file (even read-only) keeps dbt from opening it
read-write: the gold assets take the same `duckdb_writer` pool as the dbt assets.
"""

# No `from __future__ import annotations` here: Dagster reads the Config annotation of the asset functions.
from dagster import (
    AssetCheckSpec,
    AssetExecutionContext,
    AssetsDefinition,
    AssetSelection,
    AssetSpec,
    AutomationCondition,
    BackfillPolicy,
    Config,
    DailyPartitionsDefinition,
    FreshnessPolicy,
    multi_asset,
)
from pydantic import Field

from data_platform.resources.warehouse import WarehouseResource
from square_sales.gold.tables import MATCHES_MART_CHECK, GoldTable, gold_tables
from square_sales.keys import GOLD_GROUP, OWNER
from square_sales.quality.freshness_policies import FreshnessPolicies
from square_sales.transform.assets import DAILY_MODELS, WAREHOUSE_POOL
from square_sales.transform.conditions import model_condition
from square_sales.transform.manifest import DbtManifest
from square_sales.transform.project import dbt_manifest_path

# The two asset definitions (their op names appear in run config).
GOLD_DAILY_TABLES = "square_gold_daily_tables"
GOLD_REFERENCE_TABLES = "square_gold_reference_tables"

# A table follows its mart as the marts follow each other (transform/conditions.py): requested in the tick that
# requests its mart's partition (so both run in one run, gold after dbt), or after a run that rebuilt the mart
# without it; never while the mart is missing or in progress. A daily table follows any age of partition.
GOLD_DAILY_CONDITION = model_condition(DAILY_MODELS)
GOLD_REFERENCE_CONDITION = model_condition(AssetSelection.all() - DAILY_MODELS)


class GoldPublishConfig(Config):
    full_refresh: bool = Field(
        default=False,
        description=(
            "Replace each table whole, taking the mart's schema as it is (drops a column the mart lost), instead "
            "of the business days of the run's window."
        ),
    )


def _spec(
    table: GoldTable, condition: AutomationCondition, freshness_policy: FreshnessPolicy | None
) -> AssetSpec:
    layout = "partitioned by business_date, replaced day by day" if table.daily else "replaced whole"
    return AssetSpec(
        key=table.key,
        deps=[table.mart_key],
        description=(
            f"`{table.relation}` published as a Delta table at `<lake root>/{table.lake_path}/` ({layout}), for "
            f"analysts, Power BI and any Delta reader (README, Analysts' guide).\n\n{table.description}"
        ),
        group_name=GOLD_GROUP,
        owners=[OWNER],
        kinds={"deltalake"},
        automation_condition=condition,
        freshness_policy=freshness_policy,
        metadata={"dagster/column_schema": table.column_schema} if table.column_schema else None,
    )


def _check(table: GoldTable) -> AssetCheckSpec:
    return AssetCheckSpec(
        name=MATCHES_MART_CHECK,
        asset=table.key,
        description=(
            "The published version holds what the mart holds for the days the run published: per business day, "
            "the row count and the sum of every integer column (money in minor units, e.g. net sales)."
        ),
        blocking=True,
    )


def _gold_tables(
    name: str,
    tables: list[GoldTable],
    condition: AutomationCondition,
    freshness_policy: FreshnessPolicy | None,
    partitions: DailyPartitionsDefinition | None = None,
) -> AssetsDefinition:
    by_key = {table.key: table for table in tables}

    @multi_asset(
        name=name,
        specs=[_spec(table, condition, freshness_policy) for table in tables],
        check_specs=[_check(table) for table in tables],
        can_subset=True,
        pool=WAREHOUSE_POOL,
        partitions_def=partitions,
        backfill_policy=BackfillPolicy.single_run() if partitions else None,
    )
    def _publish(context: AssetExecutionContext, warehouse: WarehouseResource, config: GoldPublishConfig):
        from square_sales.gold.publish import publish_gold_tables

        selected = [by_key[key] for key in sorted(context.selected_asset_keys)]
        yield from publish_gold_tables(context, warehouse, selected, config.full_refresh)

    return _publish


def build_gold_assets(
    partitions: DailyPartitionsDefinition, freshness: FreshnessPolicies | None = None
) -> list[AssetsDefinition]:
    """The daily gold tables (partitioned like the daily marts) and the reference ones, from the dbt manifest,
    with the freshness policies of their marts (none when ``freshness`` is None)."""
    tables = gold_tables(DbtManifest.load(dbt_manifest_path()))
    daily = [table for table in tables if table.daily]
    reference = [table for table in tables if not table.daily]
    return [
        _gold_tables(
            GOLD_DAILY_TABLES, daily, GOLD_DAILY_CONDITION, freshness.daily if freshness else None, partitions
        ),
        _gold_tables(
            GOLD_REFERENCE_TABLES,
            reference,
            GOLD_REFERENCE_CONDITION,
            freshness.snapshots if freshness else None,
        ),
    ]
