"""The raw ingestion jobs and the one way every automation asks for a range of raw days to be pulled again."""

from __future__ import annotations

from collections.abc import Iterable

from dagster import AssetSelection, RunRequest, define_asset_job

from data_platform.partition_ranges import partition_range_tags
from square_sales.keys import DAILY_RAW_KEYS, SNAPSHOT_RAW_KEYS
from square_sales.partitions import contiguous_ranges

REASON_TAG = "square/reason"

# Partitions come from the selected assets (the domain's daily partitions).
square_raw_daily_job = define_asset_job(
    "square_raw_daily_job",
    selection=AssetSelection.assets(*DAILY_RAW_KEYS),
    description="Pull orders, payments and refunds for a partition range (one run per range).",
)

square_raw_snapshots_job = define_asset_job(
    "square_raw_snapshots_job",
    selection=AssetSelection.assets(*SNAPSHOT_RAW_KEYS),
    description="Take fresh snapshots of Square locations, catalog and customers.",
)


def range_run_request(first: str, last: str, reason: str, run_key: str | None = None) -> RunRequest:
    """One run re-pulling the daily raw assets for partitions first..last (single-run backfill policy)."""
    return RunRequest(
        run_key=run_key,
        job_name=square_raw_daily_job.name,
        tags={**partition_range_tags(first, last), REASON_TAG: reason},
    )


def days_run_requests(days: Iterable[str], reason: str, run_key_prefix: str) -> list[RunRequest]:
    """Runs re-pulling ``days``: one per range of consecutive days, each keyed ``<prefix>-<first>-<last>``."""
    return [
        range_run_request(first, last, reason=reason, run_key=f"{run_key_prefix}-{first}-{last}")
        for first, last in contiguous_ranges(days)
    ]
