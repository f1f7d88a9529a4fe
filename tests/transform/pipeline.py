"""A small square_sales pipeline for the transform tests: the real raw assets pulling from the sandbox over HTTP
into a lake, and the real dbt assets building a DuckDB warehouse, executed in-process through Dagster."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
from dagster import AssetSelection, DagsterInstance, Definitions, materialize

from data_platform.partition_ranges import partition_range_tags
from data_platform.resources.lake import LakeResource
from data_platform.resources.warehouse import WarehouseResource
from square_sales.gold.assets import build_gold_assets
from square_sales.ingestion.assets import build_daily_raw_assets, build_snapshot_raw_assets
from square_sales.ingestion.resource import SquareClientResource
from square_sales.partitions import daily_partitions
from square_sales.transform.assets import build_dbt_assets
from square_sales.transform.automation import (
    FULL_REFRESH_RUN_CONFIG,
    REBUILD_WAREHOUSE_JOB,
    build_rebuild_warehouse_job,
)
from square_sales.transform.project import build_dbt_resource

daily_raw_assets = build_daily_raw_assets(daily_partitions())
snapshot_raw_assets = build_snapshot_raw_assets()
square_dbt_daily_models, square_dbt_reference_models = build_dbt_assets(daily_partitions())
square_gold_daily_tables, square_gold_reference_tables = build_gold_assets(daily_partitions())
WAREHOUSE_ASSETS = [
    square_dbt_daily_models,
    square_dbt_reference_models,
    square_gold_daily_tables,
    square_gold_reference_tables,
]
ALL_ASSETS = [*daily_raw_assets, *snapshot_raw_assets, *WAREHOUSE_ASSETS]
# The marts built from the daily raw partitions (the reference dims are rebuilt whole on every run anyway).
MART_TABLES = [
    "fct_orders",
    "fct_order_line_items",
    "fct_payments",
    "fct_refunds",
    "daily_sales_by_location",
    "daily_late_arrivals_by_location",
    "fct_inventory_changes",
    "inventory_on_hand_by_location",
    "fct_timecards",
    "daily_labor_by_location",
    "cash_drawer_shifts",
    "fct_payouts",
    "gift_card_liability",
    "fct_loyalty_events",
    "daily_loyalty_by_location",
]


def range_tags(first: dt.date, last: dt.date) -> dict[str, str]:
    return partition_range_tags(first.isoformat(), last.isoformat())


class Pipeline:
    def __init__(
        self, lake: LakeResource, database_path: Path, square_handle=None, lock_wait_seconds: int = 120
    ) -> None:
        self.lake = lake
        self.database_path = database_path
        self.square_handle = square_handle
        self.lock_wait_seconds = lock_wait_seconds
        self.instance = DagsterInstance.ephemeral()

    def warehouse(self) -> WarehouseResource:
        return WarehouseResource(
            database_path=str(self.database_path), lake=self.lake, lock_wait_seconds=self.lock_wait_seconds
        )

    def resources(self) -> dict:
        resources = {
            "lake": self.lake,
            "warehouse": self.warehouse(),
            "dbt": build_dbt_resource(self.lake),
        }
        # Runs that only build the warehouse never call Square; the raw assets still need the resource bound.
        handle = self.square_handle
        resources["square"] = SquareClientResource(
            base_url=handle.base_url if handle else "http://127.0.0.1:9",
            access_token=handle.token if handle else "-",
        )
        return resources

    def run(self, selection: AssetSelection, tags: dict | None = None, run_config=None):
        """Materialize ``selection`` in one run; the result, whether it succeeded or not."""
        return materialize(
            ALL_ASSETS,
            selection=selection,
            resources=self.resources(),
            instance=self.instance,
            tags=tags,
            run_config=run_config,
            raise_on_error=False,
        )

    def _materialize(self, selection: AssetSelection, tags: dict | None = None, run_config=None):
        result = self.run(selection, tags, run_config)
        assert result.success, failure(result)
        return result

    # -- raw layer ---------------------------------------------------------------------------------------

    def pull(self, first: dt.date, last: dt.date) -> None:
        """Pull the raw days first..last (one run, as a backfill) and fresh snapshots from the sandbox."""
        self._materialize(AssetSelection.assets(*snapshot_raw_assets))
        self._materialize(AssetSelection.assets(*daily_raw_assets), tags=range_tags(first, last))

    # -- warehouse ---------------------------------------------------------------------------------------

    def build(self, first: dt.date, last: dt.date):
        """Materialize the dbt models and their gold tables in one run: the reference models, then the daily
        models for partitions first..last (their single-run backfill policy), as a backfill of that range does,
        each followed by its gold tables."""
        return self._materialize(AssetSelection.assets(*WAREHOUSE_ASSETS), tags=range_tags(first, last))

    def rebuild_warehouse(self, first: dt.date, last: dt.date) -> None:
        """The rebuild_warehouse job (full refresh from the lake), as `python -m ...rebuild_warehouse` runs it."""
        rebuild_job = build_rebuild_warehouse_job(WAREHOUSE_ASSETS)
        job = Definitions(assets=ALL_ASSETS, jobs=[rebuild_job], resources=self.resources()).resolve_job_def(
            REBUILD_WAREHOUSE_JOB
        )
        result = job.execute_in_process(
            run_config=FULL_REFRESH_RUN_CONFIG,
            instance=self.instance,
            tags=range_tags(first, last),
            raise_on_error=False,
        )
        assert result.success, failure(result)

    def query(self, sql: str, *params) -> list[tuple]:
        with duckdb.connect(str(self.database_path), read_only=True) as connection:
            return connection.execute(sql, list(params)).fetchall()

    def table(self, name: str) -> list[tuple]:
        """Every row of a mart, sorted, for comparisons."""
        return sorted(self.query(f"select * from marts.{name}"), key=repr)

    def publish_gold(self, first: dt.date, last: dt.date):
        """Publish the gold tables alone (the daily ones for partitions first..last), from the warehouse as it is."""
        return self._materialize(
            AssetSelection.assets(square_gold_daily_tables, square_gold_reference_tables),
            tags=range_tags(first, last),
        )

    def copy_with_empty_warehouse(self, folder: Path) -> Pipeline:
        """A copy of the lake and a warehouse that does not exist yet."""
        assert self.lake.is_local, "copies are for local lakes"
        folder.mkdir(parents=True)
        shutil.copytree(self.lake.path(), folder / "lake")
        return Pipeline(
            LakeResource(root_url=str(folder / "lake")), folder / "warehouse.duckdb", self.square_handle
        )

    def copy_to(self, folder: Path) -> Pipeline:
        """An independent copy (lake folder and warehouse file) to change without touching this one."""
        assert self.lake.is_local, "copies are for local lakes"
        folder.mkdir(parents=True)
        shutil.copytree(self.lake.path(), folder / "lake")
        shutil.copy(self.database_path, folder / "warehouse.duckdb")
        return Pipeline(
            LakeResource(root_url=str(folder / "lake")), folder / "warehouse.duckdb", self.square_handle
        )


def built_pipeline(square_handle, folder: Path, first: dt.date, last: dt.date) -> Pipeline:
    """A lake in ``folder`` with the sandbox's raw days first..last and the warehouse built from them."""
    pipeline = Pipeline(
        LakeResource(root_url=str(folder / "lake")), folder / "warehouse.duckdb", square_handle
    )
    pipeline.lake.check()
    pipeline.pull(first, last)
    pipeline.build(first, last)
    return pipeline


def failure(result) -> str:
    """The errors of a failed run, for assertion messages and tests of error messages."""
    lines = []
    for event in result.all_events:
        if event.is_failure and event.event_specific_data is not None:
            error = getattr(event.event_specific_data, "error", None)
            if error is not None:
                lines.append(error.to_string()[-4000:])
    return "\n".join(lines) or "run failed"
