"""Runs the dbt models' automation conditions, and the warehouse rebuild job.

After any re-pull of a raw partition (the backfill-window schedule, the late-upload sensor, a manual backfill),
``square_dbt_automation`` sees the raw asset partition updated and requests the same partition of the daily models
(their conditions: transform/conditions.py). Its runs carry the warehouse-writer tag, so the instance's tag
concurrency limit keeps a single writer on the DuckDB file.

It is evaluated in the code server (``use_user_code_server``): one of the conditions is Python of ours (a raw
partition counts once the run that pulled it succeeded), and a test drives the very sensor the daemon ticks.
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

from square_sales.dagster_features import accepted_dagster_previews
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


AUTOMATION_INTERVAL_SECONDS = 60


def build_automation_sensor(dbt_assets: Sequence[AssetsDefinition]) -> SensorDefinition:
    with accepted_dagster_previews():  # evaluated in the code server
        return AutomationConditionSensorDefinition(
            "square_dbt_automation",
            target=AssetSelection.assets(*dbt_assets),
            run_tags=WAREHOUSE_WRITER_TAG,
            use_user_code_server=True,
            default_status=DefaultSensorStatus.RUNNING,
            minimum_interval_seconds=AUTOMATION_INTERVAL_SECONDS,
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
