"""Runs the dbt models' automation conditions, and the warehouse rebuild job.

After any re-pull of a raw partition (the backfill-window schedule, the late-upload sensor, a manual backfill),
this sensor sees the raw asset partition updated and requests the same partition of the daily models (their
condition: DAILY_MODEL_CONDITION in assets.py). Its runs carry the warehouse-writer tag, so the instance's
tag concurrency limit keeps a single writer on the DuckDB file.
"""

from __future__ import annotations

from collections.abc import Sequence

from dagster import (
    AssetsDefinition,
    AssetSelection,
    AutomationConditionSensorDefinition,
    DefaultSensorStatus,
    SensorDefinition,
    define_asset_job,
)

from square_sales.gold.assets import GOLD_DAILY_TABLES, GOLD_REFERENCE_TABLES
from square_sales.transform.assets import DAILY_MODELS_NAME, REFERENCE_MODELS_NAME

# dagster_home/dagster.yaml and docker/dagster.yaml limit runs with this tag to one at a time.
WAREHOUSE_WRITER_TAG = {"platform/duckdb-writer": "square_sales"}
REBUILD_WAREHOUSE_JOB = "rebuild_warehouse"

_FULL_REFRESH = {"config": {"full_refresh": True}}
# Passed explicitly when launching over a partition range: a job's own config applies per single partition key.
FULL_REFRESH_RUN_CONFIG = {
    "ops": {
        name: _FULL_REFRESH
        for name in (DAILY_MODELS_NAME, REFERENCE_MODELS_NAME, GOLD_DAILY_TABLES, GOLD_REFERENCE_TABLES)
    }
}


def build_automation_sensor(dbt_assets: Sequence[AssetsDefinition]) -> SensorDefinition:
    return AutomationConditionSensorDefinition(
        "square_dbt_automation",
        target=AssetSelection.assets(*dbt_assets),
        run_tags=WAREHOUSE_WRITER_TAG,
        default_status=DefaultSensorStatus.RUNNING,
        minimum_interval_seconds=60,
        description=(
            "Brings the dbt models and their gold tables up to date after raw partitions or snapshots are "
            "(re)materialized."
        ),
    )


def build_rebuild_warehouse_job(dbt_assets: Sequence[AssetsDefinition]):
    # Partitions come from the selected dbt assets.
    return define_asset_job(
        REBUILD_WAREHOUSE_JOB,
        selection=AssetSelection.assets(*dbt_assets),
        tags=WAREHOUSE_WRITER_TAG,
        config=FULL_REFRESH_RUN_CONFIG,
        description=(
            "Rebuild every dbt model from the lake alone (dbt build --full-refresh), no call to Square, and "
            "republish every gold table whole. Launch it over the whole partition range: "
            "`python -m square_sales.transform.rebuild_warehouse`."
        ),
    )
