"""The dbt models as Dagster assets: daily-partitioned models (incremental by business day) and the rest.

Asset keys, groups, owners, descriptions and column schemas come from the dbt project's YAML; dbt sources carry
`meta.dagster.asset_key` so lineage runs Square -> raw -> staging -> marts, and dbt tests become asset checks.
"""

# No `from __future__ import annotations` here: Dagster reads the Config annotations of the asset functions.
import json
from collections.abc import Iterator, Mapping
from typing import Any

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSelection,
    AutomationCondition,
    BackfillPolicy,
    Config,
    Output,
)
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets
from pydantic import Field

from data_platform.redaction import redact
from data_platform.resources.warehouse import WarehouseResource
from square_sales.partitions import daily_partitions
from square_sales.transform.environment import dbt_environment
from square_sales.transform.partition_window import dbt_window_for_partitions
from square_sales.transform.previews import PREVIEWS
from square_sales.transform.project import dbt_manifest_path, square_dbt_project

# dbt tag (dbt_project YAML) of the models that follow the raw daily partitions.
DAILY_PARTITIONED_TAG = "daily_partitioned"
RAW_GROUP = "square_raw"

# A re-pulled raw day, whatever its age (backfill window, late-upload sensor, manual backfill), flows to the same
# partition downstream. Plain eager() only looks at the latest partition. Reference data (locations) changing
# does not rebuild every historical day: that is what rebuild_warehouse is for.
DAILY_MODEL_CONDITION = (
    AutomationCondition.eager()
    .without(AutomationCondition.in_latest_time_window())
    .allow(AssetSelection.groups(RAW_GROUP) | AssetSelection.tag(DAILY_PARTITIONED_TAG, ""))
)
REFERENCE_MODEL_CONDITION = AutomationCondition.eager()


class SquareDbtTranslator(DagsterDbtTranslator):
    def get_automation_condition(self, dbt_resource_props: Mapping[str, Any]) -> AutomationCondition | None:
        if DAILY_PARTITIONED_TAG in dbt_resource_props.get("tags", []):
            return DAILY_MODEL_CONDITION
        return REFERENCE_MODEL_CONDITION


class DbtBuildConfig(Config):
    full_refresh: bool = Field(
        default=False,
        description="Rebuild every model from the whole lake (dbt --full-refresh) instead of the run's window.",
    )


translator = SquareDbtTranslator()
manifest = dbt_manifest_path()


def _build(
    context: AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
    args: list[str],
) -> Iterator:
    held: list = []
    with dbt_environment(warehouse):
        for event in dbt.cli(args, context=context).stream():
            if _asset_key(context, event) in PREVIEWS:
                held.append(event)  # previews read the warehouse, which dbt holds until it exits
            else:
                yield event
    yield from _with_previews(context, warehouse, held)


def _asset_key(context: AssetExecutionContext, event: Any) -> AssetKey | None:
    if isinstance(event, Output):
        return context.asset_key_for_output(event.output_name)
    return getattr(event, "asset_key", None)


def _with_previews(context: AssetExecutionContext, warehouse: WarehouseResource, held: list) -> Iterator:
    """The held mart outputs, with their previews (charts, tables) in the metadata, then their checks."""
    outputs = [e for e in held if isinstance(e, Output)]
    previews: dict[AssetKey, dict] = {}
    if outputs:
        try:
            with warehouse.get_connection(read_only=True) as connection:
                for event in outputs:
                    key = _asset_key(context, event)
                    previews[key] = PREVIEWS[key](connection)
        except Exception as error:  # a preview is a convenience: never fail the build for it
            context.log.warning(f"Could not compute mart previews: {redact(str(error))[:300]}")
    for event in outputs:
        yield event.with_metadata({**event.metadata, **previews.get(_asset_key(context, event), {})})
    yield from (e for e in held if not isinstance(e, Output))


@dbt_assets(
    manifest=manifest,
    project=square_dbt_project,
    select=f"tag:{DAILY_PARTITIONED_TAG}",
    name="square_dbt_daily_models",
    partitions_def=daily_partitions,
    backfill_policy=BackfillPolicy.single_run(),
    dagster_dbt_translator=translator,
)
def square_dbt_daily_models(
    context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource, config: DbtBuildConfig
):
    """Models over the daily raw partitions; each run replaces the business days of its partition window."""
    args = ["build"]
    if config.full_refresh:
        args.append("--full-refresh")
    else:
        window = context.partition_time_window
        dbt_window = dbt_window_for_partitions(window.start, window.end)
        context.log.info(
            f"Partitions {window.start.date()}..{window.end.date()} (end exclusive): rebuilding business days "
            f"{dbt_window.business_date_start}..{dbt_window.business_date_end} from raw partitions "
            f"{dbt_window.raw_partition_start}..{dbt_window.raw_partition_end}."
        )
        args += ["--vars", json.dumps(dbt_window.as_dbt_vars())]
    yield from _build(context, dbt, warehouse, args)


@dbt_assets(
    manifest=manifest,
    project=square_dbt_project,
    exclude=f"tag:{DAILY_PARTITIONED_TAG}",
    name="square_dbt_reference_models",
    dagster_dbt_translator=translator,
)
def square_dbt_reference_models(
    context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource, config: DbtBuildConfig
):
    """Models over the snapshots (locations, catalog with its history, customers): rebuilt whole each run."""
    args = ["build", "--full-refresh"] if config.full_refresh else ["build"]
    yield from _build(context, dbt, warehouse, args)


square_dbt_assets = [square_dbt_daily_models, square_dbt_reference_models]
