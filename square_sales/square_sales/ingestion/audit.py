"""The completeness audit of raw orders against Square: an asset check after every pull of raw orders, and a
scheduled audit over the last AUDIT_DAYS days that requests re-pulls of the days that differ
(``square_sales.ingestion.completeness`` does the comparison).
"""

from datetime import date

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    DailyPartitionsDefinition,
    DefaultScheduleStatus,
    MetadataValue,
    PartitionKeyRange,
    ScheduleDefinition,
    ScheduleEvaluationContext,
    SkipReason,
    asset_check,
    schedule,
)

from data_platform.partition_ranges import partition_range_of
from data_platform.resources.lake import LakeResource
from square_sales.ingestion.jobs import days_run_requests, square_raw_daily_job
from square_sales.ingestion.resource import SquareClientResource
from square_sales.keys import raw_asset_key
from square_sales.partitions import trailing_partition_keys


def run_partition_keys(partitions: DailyPartitionsDefinition, tags: dict[str, str]) -> list[str]:
    """The daily partitions a run targets, from its tags: a check step is itself unpartitioned, so the run (one
    partition, or a range under the single-run backfill policy) tells which days to audit."""
    bounds = partition_range_of(tags)
    if bounds is None:
        return []
    return list(partitions.get_partition_keys_in_range(PartitionKeyRange(*bounds)))


def build_completeness_check(partitions: DailyPartitionsDefinition) -> AssetChecksDefinition:
    @asset_check(
        asset=raw_asset_key("orders"),
        name="completeness_vs_square",
        description=(
            "The partition holds exactly the orders Square lists for that business day (return_entries), at "
            "their current version: missing, extra and stale counts in the metadata; fails when any is non-zero."
        ),
    )
    def raw_orders_completeness_check(
        context: AssetCheckExecutionContext, square: SquareClientResource, lake: LakeResource
    ) -> AssetCheckResult:
        from square_sales.ingestion.completeness import compare_partition, diff_metadata

        keys = run_partition_keys(partitions, context.run.tags)
        with square.open(log=context.log) as api:
            location_ids = api.location_ids()
            diffs = [
                compare_partition(api, lake, date.fromisoformat(k), partitions.timezone, location_ids)
                for k in keys
            ]
        metadata = diff_metadata(diffs)
        metadata["partitions"] = MetadataValue.text(f"{keys[0]}..{keys[-1]}" if keys else "none")
        return AssetCheckResult(passed=all(d.matches for d in diffs), metadata=metadata)

    return raw_orders_completeness_check


def build_audit_schedule(
    partitions: DailyPartitionsDefinition, audit_days: int, cron: str
) -> ScheduleDefinition:
    @schedule(
        name="square_raw_orders_audit_schedule",
        cron_schedule=cron,
        job=square_raw_daily_job,
        execution_timezone=partitions.timezone,
        default_status=DefaultScheduleStatus.RUNNING,
        description=(
            f"Compares the last {audit_days} days of raw orders with Square (AUDIT_DAYS) and re-pulls the days "
            "that differ, one run per range of consecutive days."
        ),
    )
    def square_raw_orders_audit_schedule(
        context: ScheduleEvaluationContext, square: SquareClientResource, lake: LakeResource
    ):
        from square_sales.ingestion.completeness import compare_partition

        keys = trailing_partition_keys(partitions, context.scheduled_execution_time, audit_days)
        with square.open(log=context.log) as api:
            location_ids = api.location_ids()
            differing = [
                d.day
                for d in (
                    compare_partition(api, lake, date.fromisoformat(k), partitions.timezone, location_ids)
                    for k in keys
                )
                if not d.matches
            ]
        if not differing:
            return SkipReason(f"All {len(keys)} audited days match Square.")
        context.log.info(f"Days differing from Square: {', '.join(differing)}")
        tick = context.scheduled_execution_time.strftime("%Y%m%dT%H%M")
        return days_run_requests(differing, "completeness audit", f"audit-{tick}")

    return square_raw_orders_audit_schedule
