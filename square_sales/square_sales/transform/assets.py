"""The dbt models as Dagster assets: daily-partitioned models (incremental by business day) and the rest.

Asset keys, groups, owners, descriptions and column schemas come from the dbt project's YAML through its manifest
(``transform/manifest.py``); dbt sources carry ``meta.dagster.asset_key`` so lineage runs Square -> raw ->
staging -> marts, and dbt tests become asset checks. A run invokes ``dbt build`` for the selected models
(``transform/dbt_run.py``).
"""

# No `from __future__ import annotations` here: Dagster reads the Config annotations of the asset functions.
import json
from collections.abc import Callable

from dagster import (
    AssetExecutionContext,
    AssetsDefinition,
    AssetSelection,
    AutomationCondition,
    BackfillPolicy,
    Config,
    DailyPartitionsDefinition,
    FreshnessPolicy,
    multi_asset,
)
from pydantic import Field

from data_platform.resources.warehouse import WarehouseResource
from square_sales.keys import DAILY_RAW_KEYS
from square_sales.quality.freshness_policies import FreshnessPolicies
from square_sales.transform.conditions import model_condition
from square_sales.transform.manifest import DbtManifest
from square_sales.transform.partition_window import dbt_window_for_partitions
from square_sales.transform.project import DbtResource, dbt_manifest_path

# dbt tag (dbt_project YAML) of the models that follow the raw daily partitions.
DAILY_PARTITIONED_TAG = "daily_partitioned"
# DuckDB allows one writer process: every run building dbt models takes the one slot of this pool
# (dagster_home/dagster.yaml, docker/dagster.yaml), however it was launched.
WAREHOUSE_POOL = "duckdb_writer"
# The two dbt asset definitions (their op names appear in run config).
DAILY_MODELS_NAME = "square_dbt_daily_models"
REFERENCE_MODELS_NAME = "square_dbt_reference_models"

# A re-pulled raw day, whatever its age (backfill window, late-upload sensor, manual backfill), flows to the same
# partition downstream (transform/conditions.py says when exactly).
DAILY_MODELS = AssetSelection.tag(DAILY_PARTITIONED_TAG, "")
# The daily models build a day together (can_subset below): each waits for every raw daily asset of that day.
DAILY_MODEL_CONDITION = model_condition(DAILY_MODELS, gated=DAILY_RAW_KEYS)
REFERENCE_MODEL_CONDITION = model_condition(AssetSelection.all() - DAILY_MODELS)


class DbtBuildConfig(Config):
    full_refresh: bool = Field(
        default=False,
        description="Rebuild every model from the whole lake (dbt --full-refresh) instead of the run's window.",
    )


def _daily_build_args(context: AssetExecutionContext, config: DbtBuildConfig) -> list[str]:
    if config.full_refresh:
        return ["build", "--full-refresh"]
    window = context.partition_time_window
    dbt_window = dbt_window_for_partitions(window.start, window.end)
    context.log.info(
        f"Partitions {window.start.date()}..{window.end.date()} (end exclusive): rebuilding business "
        f"days {dbt_window.business_date_start}..{dbt_window.business_date_end} from raw partitions "
        f"{dbt_window.raw_partition_start}..{dbt_window.raw_partition_end}."
    )
    return ["build", "--vars", json.dumps(dbt_window.as_dbt_vars())]


def _reference_build_args(context: AssetExecutionContext, config: DbtBuildConfig) -> list[str]:
    return ["build", "--full-refresh"] if config.full_refresh else ["build"]


def _dbt_models(
    name: str,
    manifest: DbtManifest,
    unique_ids: list[str],
    condition: AutomationCondition,
    build_args: Callable[[AssetExecutionContext, DbtBuildConfig], list[str]],
    freshness_policy: FreshnessPolicy | None,
    partitions: DailyPartitionsDefinition | None = None,
) -> AssetsDefinition:
    @multi_asset(
        name=name,
        specs=[manifest.asset_spec(unique_id, condition, freshness_policy) for unique_id in unique_ids],
        check_specs=[check for unique_id in unique_ids for check in manifest.check_specs(unique_id)],
        # A day's models build together: their tests read each other (each line item's order is in fct_orders),
        # so no run may rebuild some of a day's models and not the rest. Reference models may be built alone.
        can_subset=partitions is None,
        pool=WAREHOUSE_POOL,
        partitions_def=partitions,
        backfill_policy=BackfillPolicy.single_run() if partitions else None,
    )
    def _build(
        context: AssetExecutionContext, dbt: DbtResource, warehouse: WarehouseResource, config: DbtBuildConfig
    ):
        from square_sales.transform.dbt_run import run_dbt_build

        yield from run_dbt_build(context, dbt, warehouse, manifest, build_args(context, config))

    return _build


def build_dbt_assets(
    partitions: DailyPartitionsDefinition, freshness: FreshnessPolicies | None = None
) -> list[AssetsDefinition]:
    """The daily-partitioned models (incremental by business day) and the reference models, from the manifest,
    with the freshness policies of the schedules that feed them (none when ``freshness`` is None)."""
    manifest = DbtManifest.load(dbt_manifest_path())
    daily = _dbt_models(
        DAILY_MODELS_NAME,
        manifest,
        manifest.asset_ids(with_tag=DAILY_PARTITIONED_TAG),
        DAILY_MODEL_CONDITION,
        _daily_build_args,
        freshness.daily if freshness else None,
        partitions,
    )
    # Models over the snapshots (locations, catalog with its history, customers): rebuilt whole each run.
    reference = _dbt_models(
        REFERENCE_MODELS_NAME,
        manifest,
        manifest.asset_ids(without_tag=DAILY_PARTITIONED_TAG),
        REFERENCE_MODEL_CONDITION,
        _reference_build_args,
        freshness.snapshots if freshness else None,
    )
    return [daily, reference]
