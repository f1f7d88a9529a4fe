"""The backfill window: one run, on a schedule, re-pulling the last BACKFILL_WINDOW_DAYS daily partitions; and the
daily snapshots of locations, catalog and customers.

Offline-mode sales reach Square hours or days after they happened; re-pulling the recent days catches them with no
one watching. Older changes are the late-change sensor's job, and the audit's.
"""

from dagster import (
    DailyPartitionsDefinition,
    DefaultScheduleStatus,
    ScheduleDefinition,
    ScheduleEvaluationContext,
    schedule,
)

from square_sales.ingestion.jobs import range_run_request, square_raw_daily_job, square_raw_snapshots_job
from square_sales.partitions import trailing_partition_keys

# Snapshots (locations, catalog, customers) change rarely: once a day, early in the reporting day.
SNAPSHOT_CRON = "0 5 * * *"


def build_backfill_window_schedule(
    partitions: DailyPartitionsDefinition, window_days: int, cron: str
) -> ScheduleDefinition:
    @schedule(
        name="square_raw_backfill_window_schedule",
        cron_schedule=cron,
        job=square_raw_daily_job,
        execution_timezone=partitions.timezone,
        default_status=DefaultScheduleStatus.RUNNING,
        description=(
            f"Every run re-pulls the last {window_days} day(s) of every daily Square object in one run, "
            "catching offline-mode uploads up to that age (BACKFILL_WINDOW_DAYS, BACKFILL_SCHEDULE_CRON)."
        ),
    )
    def square_raw_backfill_window_schedule(context: ScheduleEvaluationContext):
        keys = trailing_partition_keys(partitions, context.scheduled_execution_time, window_days)
        return range_run_request(keys[0], keys[-1], reason=f"backfill window ({window_days} days)")

    return square_raw_backfill_window_schedule


def build_snapshots_schedule(partitions: DailyPartitionsDefinition) -> ScheduleDefinition:
    return ScheduleDefinition(
        name="square_raw_snapshots_schedule",
        job=square_raw_snapshots_job,
        cron_schedule=SNAPSHOT_CRON,
        execution_timezone=partitions.timezone,
        default_status=DefaultScheduleStatus.RUNNING,
        description="Daily snapshots of the Square objects without a time filter (locations, catalog, customers, ...).",
    )
