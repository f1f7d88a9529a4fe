"""Completeness audit: does the lake hold, for a business day, exactly the orders (and versions) Square holds now?

Square's SearchOrders with ``return_entries`` lists ``(order_id, version, location_id)`` for a day cheaply; the lake
side reads only the ``id`` and ``version`` columns of the partition. The difference is reported as
missing (in Square, not in the lake), extra (in the lake, no longer in Square's day) and stale (the lake holds an
older version). It runs as an asset check after every pull of raw orders, and as a scheduled audit over the last
AUDIT_DAYS days that requests re-pulls of the days that differ.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pyarrow.parquet as pq
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    DefaultScheduleStatus,
    MetadataValue,
    PartitionKeyRange,
    ScheduleDefinition,
    ScheduleEvaluationContext,
    SkipReason,
    asset_check,
    schedule,
)
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
    PARTITION_NAME_TAG,
)

from data_platform.resources.lake import LakeResource
from square_sales.ingestion.assets import raw_orders
from square_sales.ingestion.client import SquareApi, SquareClientResource
from square_sales.ingestion.layout import ORDERS
from square_sales.ingestion.pull import location_batches, orders_query
from square_sales.ingestion.schedules import contiguous_ranges, range_run_request, square_raw_daily_job
from square_sales.partitions import business_day_bounds, daily_partitions

SAMPLE_IDS = 10  # ids listed in metadata per kind of difference, so a person can look them up


@dataclass(frozen=True)
class CompletenessDiff:
    day: str
    square_count: int
    lake_count: int
    missing: list[str]
    extra: list[str]
    stale: list[str]
    lake_file_exists: bool

    @property
    def matches(self) -> bool:
        return not (self.missing or self.extra or self.stale)


def square_order_versions(
    api: SquareApi, day: date, timezone: str, location_ids: list[str]
) -> dict[str, int | None]:
    start, end = business_day_bounds(day, timezone)
    # Square's time filter includes its end; stop a millisecond (its timestamp precision) before the next day.
    query = orders_query(start, end - timedelta(milliseconds=1))
    versions: dict[str, int | None] = {}
    for batch in location_batches(location_ids):
        for page in api.search_orders(batch, query, return_entries=True):
            for entry in page.get("order_entries") or []:
                versions[entry["order_id"]] = entry.get("version")
    return versions


def lake_order_versions(lake: LakeResource, day: date) -> dict[str, int | None] | None:
    path = ORDERS.partition_path(day)
    if not lake.exists(path):
        return None
    with lake.filesystem().open(lake.path(path), "rb") as handle:
        table = pq.ParquetFile(handle).read(columns=["id", "version"])
    return dict(zip(table.column("id").to_pylist(), table.column("version").to_pylist(), strict=True))


def compare_partition(
    api: SquareApi, lake: LakeResource, day: date, timezone: str, location_ids: list[str]
) -> CompletenessDiff:
    in_square = square_order_versions(api, day, timezone, location_ids)
    in_lake = lake_order_versions(lake, day)
    lake_versions = in_lake or {}
    stale = [
        order_id
        for order_id, version in in_square.items()
        if order_id in lake_versions
        and version is not None
        and (lake_versions[order_id] is None or lake_versions[order_id] < version)
    ]
    return CompletenessDiff(
        day=day.isoformat(),
        square_count=len(in_square),
        lake_count=len(lake_versions),
        missing=sorted(set(in_square) - set(lake_versions)),
        extra=sorted(set(lake_versions) - set(in_square)),
        stale=sorted(stale),
        lake_file_exists=in_lake is not None,
    )


def _diff_metadata(diffs: list[CompletenessDiff]) -> dict:
    metadata = {
        "partitions_checked": MetadataValue.int(len(diffs)),
        "square_orders": MetadataValue.int(sum(d.square_count for d in diffs)),
        "lake_orders": MetadataValue.int(sum(d.lake_count for d in diffs)),
        "missing": MetadataValue.int(sum(len(d.missing) for d in diffs)),
        "extra": MetadataValue.int(sum(len(d.extra) for d in diffs)),
        "stale": MetadataValue.int(sum(len(d.stale) for d in diffs)),
    }
    differing = [d for d in diffs if not d.matches]
    if differing:
        lines = [
            "| partition | square | lake | missing | extra | stale |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        lines += [
            f"| {d.day} | {d.square_count} | {d.lake_count} | {len(d.missing)} | {len(d.extra)} | {len(d.stale)} |"
            for d in differing
        ]
        metadata["differing_partitions"] = MetadataValue.md("\n".join(lines))
        for kind in ("missing", "extra", "stale"):
            sample = [i for d in differing for i in getattr(d, kind)][:SAMPLE_IDS]
            if sample:
                metadata[f"sample_{kind}_ids"] = MetadataValue.text(", ".join(sample))
    return metadata


def _run_partition_keys(tags: dict[str, str]) -> list[str]:
    """The daily partitions a run targets, from its tags: a check step is itself unpartitioned, so the run (one
    partition, or a range under the single-run backfill policy) tells which days to audit."""
    if PARTITION_NAME_TAG in tags:
        return [tags[PARTITION_NAME_TAG]]
    if ASSET_PARTITION_RANGE_START_TAG in tags:
        key_range = PartitionKeyRange(
            tags[ASSET_PARTITION_RANGE_START_TAG], tags[ASSET_PARTITION_RANGE_END_TAG]
        )
        return list(daily_partitions.get_partition_keys_in_range(key_range))
    return []


@asset_check(
    asset=raw_orders,
    name="completeness_vs_square",
    description=(
        "The partition holds exactly the orders Square lists for that business day (return_entries), at their "
        "current version: missing, extra and stale counts in the metadata; fails when any is non-zero."
    ),
)
def raw_orders_completeness_check(
    context: AssetCheckExecutionContext, square: SquareClientResource, lake: LakeResource
) -> AssetCheckResult:
    keys = _run_partition_keys(context.run.tags)
    timezone = daily_partitions.timezone
    with square.open() as api:
        location_ids = [location["id"] for location in api.list_locations()]
        diffs = [compare_partition(api, lake, date.fromisoformat(k), timezone, location_ids) for k in keys]
    metadata = _diff_metadata(diffs)
    metadata["partitions"] = MetadataValue.text(f"{keys[0]}..{keys[-1]}" if keys else "none")
    return AssetCheckResult(passed=all(d.matches for d in diffs), metadata=metadata)


def audit_partition_keys(now: datetime, audit_days: int) -> list[str]:
    return list(daily_partitions.get_partition_keys(current_time=now)[-audit_days:])


def build_audit_schedule(audit_days: int, cron: str) -> ScheduleDefinition:
    @schedule(
        name="square_raw_orders_audit_schedule",
        cron_schedule=cron,
        job=square_raw_daily_job,
        execution_timezone=daily_partitions.timezone,
        default_status=DefaultScheduleStatus.RUNNING,
        description=(
            f"Compares the last {audit_days} days of raw orders with Square (AUDIT_DAYS) and re-pulls the days "
            "that differ, one run per range of consecutive days."
        ),
    )
    def square_raw_orders_audit_schedule(
        context: ScheduleEvaluationContext, square: SquareClientResource, lake: LakeResource
    ):
        keys = audit_partition_keys(context.scheduled_execution_time, audit_days)
        timezone = daily_partitions.timezone
        with square.open() as api:
            location_ids = [location["id"] for location in api.list_locations()]
            differing = [
                d.day
                for d in (
                    compare_partition(api, lake, date.fromisoformat(k), timezone, location_ids) for k in keys
                )
                if not d.matches
            ]
        if not differing:
            return SkipReason(f"All {len(keys)} audited days match Square.")
        context.log.info(f"Days differing from Square: {', '.join(differing)}")
        tick = context.scheduled_execution_time.strftime("%Y%m%dT%H%M")
        return [
            range_run_request(
                first, last, reason="completeness audit", run_key=f"audit-{tick}-{first}-{last}"
            )
            for first, last in contiguous_ranges(differing)
        ]

    return square_raw_orders_audit_schedule
