"""One dbt invocation for a run of the dbt assets: select what the run asked for, stream dbt's results back as
Dagster materializations and check results, attach the mart previews, and fail the step when dbt failed.

Imported only when a dbt run executes: this is where dagster-dbt (and with it dbt-core) is loaded.
"""

from __future__ import annotations

from collections.abc import Iterator

from dagster import (
    AssetCheckEvaluation,
    AssetCheckKey,
    AssetCheckResult,
    AssetExecutionContext,
    AssetKey,
    AssetMaterialization,
    MaterializeResult,
)
from dagster_dbt import DagsterDbtTranslator

from data_platform.redaction import redact
from data_platform.resources.warehouse import WarehouseBusy, WarehouseResource, busy_message, is_lock_conflict
from data_platform.watchdog import start_watchdog
from square_sales.transform.environment import dbt_environment
from square_sales.transform.manifest import UNIQUE_ID_METADATA_KEY, DbtManifest
from square_sales.transform.previews import PREVIEWS
from square_sales.transform.project import DbtResource
from square_sales.transform.raw_inputs import check_raw_inputs


def selection_args(context: AssetExecutionContext, manifest: DbtManifest, args: list[str]) -> list[str]:
    """``args`` narrowed to exactly what the run selected: the selected models and the tests behind the selected
    checks, nothing more (``--indirect-selection empty``). A test reading a model of the other dbt asset
    definition (e.g. a relationship to a dimension) runs with the asset it checks, as dagster-dbt does."""
    assets_def = context.assets_def
    models = [
        assets_def.specs_by_key[key].metadata[UNIQUE_ID_METADATA_KEY] for key in context.selected_asset_keys
    ]
    check_ids = {spec.key: spec.metadata[UNIQUE_ID_METADATA_KEY] for spec in assets_def.check_specs}
    tests = [check_ids[key] for key in context.selected_asset_check_keys]
    command, options = args[0], args[1:]
    if not models:  # checks alone: dbt test has no --full-refresh
        command, options = "test", [a for a in options if a != "--full-refresh"]
    # One --select value (a space is a union in dbt): dagster-dbt reads a single value per --select.
    selected = " ".join(sorted(f"fqn:{'.'.join(manifest.node(n)['fqn'])}" for n in (*models, *tests)))
    return [command, *options, "--select", selected, "--indirect-selection", "empty"]


def _as_result(
    event: object, selected: set[AssetKey], selected_checks: set[AssetCheckKey]
) -> MaterializeResult | AssetCheckResult | None:
    """dagster-dbt's op-level events as results of this multi-asset; anything not selected is dropped (a test
    reading two models also runs when only one of them is built)."""
    if isinstance(event, AssetMaterialization) and event.asset_key in selected:
        return MaterializeResult(asset_key=event.asset_key, metadata=event.metadata)
    if isinstance(event, AssetCheckEvaluation):
        key = AssetCheckKey(event.asset_key, event.check_name)
        if key in selected_checks:
            return AssetCheckResult(
                asset_key=event.asset_key,
                check_name=event.check_name,
                passed=event.passed,
                severity=event.severity,
                metadata=event.metadata,
                description=event.description,
            )
    return None


def run_dbt_build(
    context: AssetExecutionContext,
    dbt: DbtResource,
    warehouse: WarehouseResource,
    manifest: DbtManifest,
    args: list[str],
) -> Iterator[MaterializeResult | AssetCheckResult]:
    selected, selected_checks = set(context.selected_asset_keys), set(context.selected_asset_check_keys)
    if context.assets_def.partitions_def is not None and context.selected_asset_keys:
        check_raw_inputs(context, warehouse.lake, full_refresh="--full-refresh" in args)
    held: list[MaterializeResult] = []
    # Wait (bounded) for anyone holding the file, so dbt does not start only to fail on DuckDB's lock.
    warehouse.wait_until_free()
    with dbt_environment(warehouse):
        invocation = dbt.cli(
            selection_args(context, manifest, args),
            manifest=manifest.raw,
            dagster_dbt_translator=DagsterDbtTranslator(),
            raise_on_error=False,
        )
        # dbt holds the DuckDB writer lock: if this process is killed, dbt must not go on holding it.
        watchdog = start_watchdog(children=[invocation.process.pid])
        try:
            for event in invocation.stream():
                result = _as_result(event, selected, selected_checks)
                if isinstance(result, MaterializeResult) and result.asset_key in PREVIEWS:
                    held.append(result)  # previews read the warehouse, which dbt holds until it exits
                elif result is not None:
                    yield result
        finally:
            watchdog.stop()
    yield from _with_previews(context, warehouse, held)
    error = invocation.get_error()
    if error is not None and is_lock_conflict(error):  # taken between our wait and dbt's connect
        raise WarehouseBusy(busy_message(warehouse.database_path, str(error))) from error
    if error is not None:
        raise error


def _with_previews(
    context: AssetExecutionContext, warehouse: WarehouseResource, held: list[MaterializeResult]
) -> Iterator[MaterializeResult]:
    """The held mart results, with their previews (charts, tables) in the metadata."""
    previews: dict[AssetKey, dict] = {}
    if held:
        try:
            with warehouse.get_connection(read_only=True) as connection:
                for result in held:
                    previews[result.asset_key] = PREVIEWS[result.asset_key](connection)
        except Exception as error:  # a preview is a convenience: never fail the build for it
            context.log.warning(f"Could not compute mart previews: {redact(str(error))[:300]}")
    for result in held:
        yield MaterializeResult(
            asset_key=result.asset_key,
            metadata={**(result.metadata or {}), **previews.get(result.asset_key, {})},
        )
