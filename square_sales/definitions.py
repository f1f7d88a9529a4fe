"""The `square_sales` code location: Square POS sales from the API to the marts."""

from __future__ import annotations

from dagster import Definitions, EnvVar

from data_platform.resources import build_lake, build_warehouse
from data_platform.settings import load_settings
from square_sales.config import SQUARE_ACCESS_TOKEN_VARIABLE, load_square_sales_settings
from square_sales.ingestion.assets import daily_raw_assets, snapshot_raw_assets
from square_sales.ingestion.audit import build_audit_schedule, raw_orders_completeness_check
from square_sales.ingestion.client import SquareClientResource
from square_sales.ingestion.schedules import (
    build_backfill_window_schedule,
    square_raw_daily_job,
    square_raw_snapshots_job,
    square_raw_snapshots_schedule,
)
from square_sales.ingestion.sensors import build_late_change_sensor

settings = load_settings()
square_settings = load_square_sales_settings()
lake = build_lake(settings)

square = SquareClientResource(
    base_url=settings.square_base_url,
    # Resolved in the run process only; never in run config, metadata or logs.
    access_token=EnvVar(SQUARE_ACCESS_TOKEN_VARIABLE),
    request_timeout_seconds=square_settings.request_timeout_seconds,
    retry_max_seconds=square_settings.retry_max_seconds,
)

defs = Definitions(
    assets=[*daily_raw_assets, *snapshot_raw_assets],
    asset_checks=[raw_orders_completeness_check],
    jobs=[square_raw_daily_job, square_raw_snapshots_job],
    schedules=[
        build_backfill_window_schedule(
            square_settings.backfill_window_days, square_settings.backfill_schedule_cron
        ),
        build_audit_schedule(square_settings.audit_days, square_settings.audit_schedule_cron),
        square_raw_snapshots_schedule,
    ],
    sensors=[
        build_late_change_sensor(
            square_settings.backfill_window_days, square_settings.change_sensor_interval_seconds
        )
    ],
    resources={"lake": lake, "warehouse": build_warehouse(settings, lake), "square": square},
)
