"""Raw Square assets: daily partitions of orders, payments and refunds; snapshots of locations, catalog, customers.

Materializing a partition pulls everything Square holds for that business day *now* and replaces the partition in
the lake, so re-running is idempotent and late (offline-mode) uploads are picked up by simply pulling the day again.
A partition range runs in one run (``BackfillPolicy.single_run()``): one Square client, one location listing.
"""

from datetime import UTC, date, datetime

from dagster import (
    AssetExecutionContext,
    AssetKey,
    BackfillPolicy,
    MaterializeResult,
    MetadataValue,
    asset,
)

from data_platform.resources.lake import LakeResource
from square_sales.ingestion.client import SquareClientResource
from square_sales.ingestion.layout import (
    CATALOG,
    CUSTOMERS,
    LOCATIONS,
    ORDERS,
    PAYMENTS,
    REFUNDS,
    RawEntity,
)
from square_sales.ingestion.pull import PullStats, pull_day, pull_snapshot
from square_sales.partitions import daily_partitions

OWNER = "team:data-platform"
RAW_GROUP = "square_raw"
RAW_KINDS = {"square", "parquet"}
# Snapshots kept per snapshot asset; readers take the newest, older ones only serve as a short history.
SNAPSHOTS_KEPT = 7


def raw_asset_key(entity: RawEntity) -> AssetKey:
    return AssetKey(["square", "raw", entity.name])


def _metadata(
    total: PullStats, per_day: list[tuple[str, PullStats]], retries: int, lake: LakeResource
) -> dict:
    metadata = {
        "rows": MetadataValue.int(total.rows),
        "locations": MetadataValue.int(total.locations),
        "pages": MetadataValue.int(total.pages),
        "late_uploads_seen": MetadataValue.int(total.late_uploads),
        "bytes_written": MetadataValue.int(total.bytes_written),
        "duration_seconds": MetadataValue.float(round(total.seconds, 3)),
        "retries": MetadataValue.int(retries),
        "cursor_restarts": MetadataValue.int(total.cursor_restarts),
        "duplicates_skipped": MetadataValue.int(total.duplicates_skipped),
    }
    if len(per_day) == 1:
        metadata["path"] = MetadataValue.path(lake.url(per_day[0][1].path))
    else:
        lines = ["| partition | rows | late uploads | pages | bytes |", "| --- | ---: | ---: | ---: | ---: |"]
        lines += [
            f"| {key} | {s.rows} | {s.late_uploads} | {s.pages} | {s.bytes_written} |" for key, s in per_day
        ]
        metadata["partitions"] = MetadataValue.md("\n".join(lines))
    return metadata


def _daily_raw_asset(entity: RawEntity, description: str):
    @asset(
        key=raw_asset_key(entity),
        group_name=RAW_GROUP,
        partitions_def=daily_partitions,
        backfill_policy=BackfillPolicy.single_run(),
        kinds=RAW_KINDS,
        owners=[OWNER],
        description=description,
        metadata={"lake_path": f"raw/square/{entity.name}/date=YYYY-MM-DD/part-000.parquet"},
    )
    def _raw_daily(context: AssetExecutionContext, square: SquareClientResource, lake: LakeResource):
        timezone = daily_partitions.timezone
        total = PullStats()
        per_day: list[tuple[str, PullStats]] = []
        with square.open() as api:
            location_ids = [location["id"] for location in api.list_locations()]
            for key in context.partition_keys:
                stats = pull_day(
                    api, lake, entity, date.fromisoformat(key), timezone, location_ids, context.run_id
                )
                context.log.info(
                    f"{entity.name} {key}: {stats.rows} rows from {stats.pages} pages, "
                    f"{stats.late_uploads} late, {stats.bytes_written} bytes in {stats.seconds:.1f}s"
                )
                total.add(stats)
                per_day.append((key, stats))
            retries = api.stats.retries
        return MaterializeResult(metadata=_metadata(total, per_day, retries, lake))

    return _raw_daily


def _snapshot_raw_asset(entity: RawEntity, description: str):
    @asset(
        key=raw_asset_key(entity),
        group_name=RAW_GROUP,
        kinds=RAW_KINDS,
        owners=[OWNER],
        description=description,
        metadata={"lake_path": f"raw/square/{entity.name}/snapshot_at=YYYYMMDDTHHMMSSZ/part-000.parquet"},
    )
    def _raw_snapshot(context: AssetExecutionContext, square: SquareClientResource, lake: LakeResource):
        with square.open() as api:
            stats = pull_snapshot(api, lake, entity, datetime.now(UTC), context.run_id)
            retries = api.stats.retries
        _prune_snapshots(lake, entity)
        return MaterializeResult(metadata=_metadata(stats, [("snapshot", stats)], retries, lake))

    return _raw_snapshot


def _prune_snapshots(lake: LakeResource, entity: RawEntity) -> None:
    snapshots = sorted({path.rsplit("/", 1)[0] for path in lake.find(entity.folder, suffix=".parquet")})
    for folder in snapshots[:-SNAPSHOTS_KEPT]:
        lake.delete(folder, recursive=True)


raw_orders = _daily_raw_asset(
    ORDERS,
    "Square orders by business day of created_at, all locations, as Square holds them now (late offline "
    "uploads included). Typed keys plus the full raw JSON of each order.",
)
raw_payments = _daily_raw_asset(
    PAYMENTS,
    "Square payments by business day of created_at, per location, with offline-payment flags and raw JSON.",
)
raw_refunds = _daily_raw_asset(
    REFUNDS, "Square payment refunds by business day of created_at, per location, with raw JSON."
)
raw_locations = _snapshot_raw_asset(LOCATIONS, "All Square locations (complete snapshot each run).")
raw_catalog = _snapshot_raw_asset(
    CATALOG, "The Square catalog: items, variations, categories, taxes, discounts (complete snapshot)."
)
raw_customers = _snapshot_raw_asset(CUSTOMERS, "Square customers (complete snapshot each run).")

daily_raw_assets = [raw_orders, raw_payments, raw_refunds]
snapshot_raw_assets = [raw_locations, raw_catalog, raw_customers]
DAILY_RAW_KEYS = [raw_asset_key(e) for e in (ORDERS, PAYMENTS, REFUNDS)]
