"""Square ingestion: raw assets, the backfill-window schedule, the late-change sensor and the completeness audit."""

from dagster import Definitions

from square_sales.config import SquareSalesSettings


def ingestion_definitions(settings: SquareSalesSettings) -> Definitions:
    """Everything the ingestion defines, without resources (the code location and the tests bind those)."""
    from square_sales.ingestion.assets import daily_raw_assets, snapshot_raw_assets
    from square_sales.ingestion.audit import build_audit_schedule, raw_orders_completeness_check
    from square_sales.ingestion.schedules import (
        build_backfill_window_schedule,
        square_raw_daily_job,
        square_raw_snapshots_job,
        square_raw_snapshots_schedule,
    )
    from square_sales.ingestion.sensors import build_late_change_sensor

    return Definitions(
        assets=[*daily_raw_assets, *snapshot_raw_assets],
        asset_checks=[raw_orders_completeness_check],
        jobs=[square_raw_daily_job, square_raw_snapshots_job],
        schedules=[
            build_backfill_window_schedule(settings.backfill_window_days, settings.backfill_schedule_cron),
            build_audit_schedule(settings.audit_days, settings.audit_schedule_cron),
            square_raw_snapshots_schedule,
        ],
        sensors=[
            build_late_change_sensor(settings.backfill_window_days, settings.change_sensor_interval_seconds)
        ],
    )
