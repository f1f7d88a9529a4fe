"""Square ingestion: raw assets, the backfill-window schedule, the late-change sensor and the completeness audit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from dagster import DailyPartitionsDefinition, Definitions

from square_sales.settings import SquareSalesSettings


def ingestion_definitions(
    settings: SquareSalesSettings,
    partitions: DailyPartitionsDefinition,
    clock: Callable[[], datetime] | None = None,
) -> Definitions:
    """Everything the ingestion defines, without resources (the code location and the tests bind those). The
    late-change sensor tells the time by ``clock`` (the system clock by default; tests pass the simulated one)."""
    from square_sales.ingestion.assets import build_daily_raw_assets, build_snapshot_raw_assets
    from square_sales.ingestion.audit import build_audit_schedule, build_completeness_check
    from square_sales.ingestion.jobs import square_raw_daily_job, square_raw_snapshots_job
    from square_sales.ingestion.schedules import build_backfill_window_schedule, build_snapshots_schedule
    from square_sales.ingestion.sensors import build_late_change_sensor, utc_now
    from square_sales.quality.freshness_policies import freshness_policies

    policies = freshness_policies(settings)
    return Definitions(
        assets=[
            *build_daily_raw_assets(partitions, policies.daily),
            *build_snapshot_raw_assets(policies.snapshots),
        ],
        asset_checks=[build_completeness_check(partitions)],
        jobs=[square_raw_daily_job, square_raw_snapshots_job],
        schedules=[
            build_backfill_window_schedule(
                partitions, settings.backfill_window_days, settings.backfill_schedule_cron
            ),
            build_audit_schedule(partitions, settings.audit_days, settings.audit_schedule_cron),
            build_snapshots_schedule(partitions),
        ],
        sensors=[
            build_late_change_sensor(
                partitions,
                settings.backfill_window_days,
                settings.change_sensor_interval_seconds,
                clock=clock or utc_now,
            )
        ],
    )
