"""The backfill window: one run, on a schedule, re-pulling the last BACKFILL_WINDOW_DAYS daily partitions.

Offline-mode sales reach Square hours or days after they happened; re-pulling the recent days catches them with no
one watching. Older changes are the late-change sensor's job, and the audit's.
"""

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    RunRequest,
    ScheduleDefinition,
    ScheduleEvaluationContext,
    define_asset_job,
    schedule,
)
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from square_sales.ingestion.assets import DAILY_RAW_KEYS, snapshot_raw_assets
from square_sales.partitions import daily_partitions

# Snapshots (locations, catalog, customers) change rarely: once a day, early in the reporting day.
SNAPSHOT_CRON = "0 5 * * *"

square_raw_daily_job = define_asset_job(
    "square_raw_daily_job",
    selection=AssetSelection.assets(*DAILY_RAW_KEYS),
    partitions_def=daily_partitions,
    description="Pull orders, payments and refunds for a partition range (one run per range).",
)

square_raw_snapshots_job = define_asset_job(
    "square_raw_snapshots_job",
    selection=AssetSelection.assets(*snapshot_raw_assets),
    description="Take fresh snapshots of Square locations, catalog and customers.",
)


def window_partition_keys(now: datetime, window_days: int) -> list[str]:
    """The last ``window_days`` daily partitions as of ``now``, today's (open) day included."""
    return list(daily_partitions.get_partition_keys(current_time=now)[-window_days:])


def contiguous_ranges(keys: Iterable[str]) -> list[tuple[str, str]]:
    """Sorted daily keys grouped into (first, last) runs of consecutive days."""
    days = sorted({date.fromisoformat(k) for k in keys})
    ranges: list[tuple[str, str]] = []
    for day in days:
        if ranges and date.fromisoformat(ranges[-1][1]) + timedelta(days=1) == day:
            ranges[-1] = (ranges[-1][0], day.isoformat())
        else:
            ranges.append((day.isoformat(), day.isoformat()))
    return ranges


def range_run_request(first: str, last: str, reason: str, run_key: str | None = None) -> RunRequest:
    """One run re-pulling the daily raw assets for partitions first..last (single-run backfill policy)."""
    return RunRequest(
        run_key=run_key,
        job_name=square_raw_daily_job.name,
        tags={
            ASSET_PARTITION_RANGE_START_TAG: first,
            ASSET_PARTITION_RANGE_END_TAG: last,
            "square/reason": reason,
        },
    )


def build_backfill_window_schedule(window_days: int, cron: str) -> ScheduleDefinition:
    @schedule(
        name="square_raw_backfill_window_schedule",
        cron_schedule=cron,
        job=square_raw_daily_job,
        execution_timezone=daily_partitions.timezone,
        default_status=DefaultScheduleStatus.RUNNING,
        description=(
            f"Every run re-pulls the last {window_days} day(s) of orders, payments and refunds in one run, "
            "catching offline-mode uploads up to that age (BACKFILL_WINDOW_DAYS, BACKFILL_SCHEDULE_CRON)."
        ),
    )
    def square_raw_backfill_window_schedule(context: ScheduleEvaluationContext):
        keys = window_partition_keys(context.scheduled_execution_time, window_days)
        return range_run_request(keys[0], keys[-1], reason=f"backfill window ({window_days} days)")

    return square_raw_backfill_window_schedule


square_raw_snapshots_schedule = ScheduleDefinition(
    name="square_raw_snapshots_schedule",
    job=square_raw_snapshots_job,
    cron_schedule=SNAPSHOT_CRON,
    execution_timezone=daily_partitions.timezone,
    default_status=DefaultScheduleStatus.RUNNING,
    description="Daily snapshots of Square locations, catalog and customers.",
)
