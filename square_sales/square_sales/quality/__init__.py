"""Data quality checks of the Square sales domain, and the jobs/schedules that re-run them.

Checks run with the materialization they check (Dagster adds an asset's checks to its runs). Two extra jobs:
``square_raw_quality_checks`` re-evaluates the partitioned raw checks of chosen days without pulling again (after a
fix, or for days loaded before a check existed), and ``square_raw_freshness_checks`` runs on a schedule, because
staleness is exactly the case where no materialization happens.
"""

from __future__ import annotations

from dagster import (
    AssetChecksDefinition,
    AssetSelection,
    DailyPartitionsDefinition,
    DefaultScheduleStatus,
    Definitions,
    ScheduleDefinition,
    define_asset_job,
)

from square_sales.dagster_features import accepted_dagster_previews
from square_sales.quality.config import QualitySettings, load_quality_settings

__all__ = [
    "FRESHNESS_JOB",
    "RAW_QUALITY_JOB",
    "QualitySettings",
    "build_quality_definitions",
    "load_quality_settings",
]

RAW_QUALITY_JOB = "square_raw_quality_checks"
FRESHNESS_JOB = "square_raw_freshness_checks"


def build_partitioned_raw_checks(
    settings: QualitySettings, partitions: DailyPartitionsDefinition
) -> list[AssetChecksDefinition]:
    from square_sales.ingestion.layout import DAILY_ENTITIES
    from square_sales.quality.integrity import duplicate_ids_check, null_keys_check
    from square_sales.quality.signals import late_arrival_check, schema_drift_check, volume_anomaly_check

    with accepted_dagster_previews():  # partitioned asset checks
        checks = []
        for entity in DAILY_ENTITIES:
            checks += [
                duplicate_ids_check(entity, partitions),
                null_keys_check(entity, partitions),
                schema_drift_check(entity, partitions),
            ]
        return [*checks, volume_anomaly_check(settings, partitions), late_arrival_check(settings, partitions)]


def build_freshness_checks(
    settings: QualitySettings, window_days: int, partitions: DailyPartitionsDefinition
) -> list[AssetChecksDefinition]:
    from square_sales.ingestion.layout import DAILY_ENTITIES
    from square_sales.quality.freshness import freshness_check

    return [freshness_check(entity, settings, window_days, partitions) for entity in DAILY_ENTITIES]


def build_quality_definitions(
    settings: QualitySettings, backfill_window_days: int, partitions: DailyPartitionsDefinition
) -> Definitions:
    partitioned = build_partitioned_raw_checks(settings, partitions)
    freshness = build_freshness_checks(settings, backfill_window_days, partitions)
    # Partitions come from the checked assets (the domain's daily partitions).
    raw_quality_job = define_asset_job(
        RAW_QUALITY_JOB,
        selection=AssetSelection.checks(*partitioned),
        description="Re-evaluate the raw-layer checks for the chosen day(s), without pulling from Square.",
    )
    freshness_job = define_asset_job(
        FRESHNESS_JOB,
        selection=AssetSelection.checks(*freshness),
        description="Are the backfill window's raw partitions recently pulled?",
    )
    return Definitions(
        asset_checks=[*partitioned, *freshness],
        jobs=[raw_quality_job, freshness_job],
        schedules=[
            ScheduleDefinition(
                name="square_raw_freshness_schedule",
                job=freshness_job,
                cron_schedule=settings.freshness_schedule_cron,
                execution_timezone=partitions.timezone,
                default_status=DefaultScheduleStatus.RUNNING,
                description="Checks that the backfill window's raw partitions were pulled recently "
                "(QUALITY_FRESHNESS_SCHEDULE_CRON).",
            )
        ],
    )
