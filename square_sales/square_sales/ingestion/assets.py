"""Raw Square assets: daily partitions of orders, payments and refunds; snapshots of locations, catalog, customers.

Materializing a partition pulls everything Square holds for that business day *now* and replaces the partition in
the lake, so re-running is idempotent and late (offline-mode) uploads are picked up by simply pulling the day again.
A partition range runs in one run (``BackfillPolicy.single_run()``): one Square client, one location listing. Each
day's file replaces the previous one as soon as the day is pulled; when a later day fails, the days already
replaced are recorded (a materialization per day) before the run fails, so Dagster's record matches the lake and
the automation knows those days changed (transform/conditions.py holds them back until a pull succeeds).

The pulling itself (``square_sales.ingestion.pull``, pyarrow, the Square client) is imported when an asset runs,
so loading the code location stays cheap.
"""

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from dagster import (
    AssetExecutionContext,
    AssetMaterialization,
    AssetsDefinition,
    BackfillPolicy,
    DailyPartitionsDefinition,
    FreshnessPolicy,
    MaterializeResult,
    MetadataValue,
    asset,
)

from data_platform.resources.lake import LakeResource
from square_sales.dagster_features import accepted_dagster_previews
from square_sales.ingestion.resource import SquareClientResource
from square_sales.keys import OWNER, RAW_GROUP, RAW_KINDS, raw_asset_key

if TYPE_CHECKING:
    from square_sales.ingestion.client import SquareApi
    from square_sales.ingestion.layout import RawEntity
    from square_sales.ingestion.pull import PullStats

# Snapshots kept per snapshot asset; readers take the newest, older ones only serve as a short history.
SNAPSHOTS_KEPT = 7

DAILY_DESCRIPTIONS = {
    "orders": "Square orders by business day of created_at, all locations, as Square holds them now (late offline "
    "uploads included). Typed keys plus the full raw JSON of each order.",
    "payments": "Square payments by business day of created_at, per location, with offline-payment flags and raw "
    "JSON.",
    "refunds": "Square payment refunds by business day of created_at, per location, with raw JSON.",
}
SNAPSHOT_DESCRIPTIONS = {
    "locations": "All Square locations (complete snapshot each run).",
    "catalog": "The Square catalog: items, variations, categories, taxes, discounts (complete snapshot).",
    "customers": "Square customers (complete snapshot each run).",
}


def _metadata(
    total: "PullStats", per_day: list[tuple[str, "PullStats"]], retries: int, lake: LakeResource
) -> dict:
    """Figures of a pull. Every object Square returned is accounted for: objects_received = rows +
    duplicates_skipped + outside_range_skipped (rows include those with malformed fields or null keys)."""
    metadata = {
        "rows": MetadataValue.int(total.rows),
        "objects_received": MetadataValue.int(total.objects_received),
        "locations": MetadataValue.int(total.locations),
        "pages": MetadataValue.int(total.pages),
        "late_uploads_seen": MetadataValue.int(total.late_uploads),
        "bytes_written": MetadataValue.int(total.bytes_written),
        "duration_seconds": MetadataValue.float(round(total.seconds, 3)),
        "retries": MetadataValue.int(retries),
        "cursor_restarts": MetadataValue.int(total.cursor_restarts),
        "duplicates_skipped": MetadataValue.int(total.duplicates_skipped),
        "outside_range_skipped": MetadataValue.int(total.outside_range_skipped),
        "null_key_rows": MetadataValue.int(total.null_key_rows),
        "malformed_values": MetadataValue.int(total.malformed.total),
        # The rows of each partition of the run: what the dbt runs compare the lake with (transform/raw_inputs.py).
        "rows_by_partition": MetadataValue.json({key: s.rows for key, s in per_day}),
    }
    if total.malformed.total:
        metadata["malformed_fields"] = MetadataValue.text(total.malformed.summary())
    if len(per_day) == 1:
        metadata["path"] = MetadataValue.path(lake.url(per_day[0][1].path))
    else:
        lines = ["| partition | rows | late uploads | pages | bytes |", "| --- | ---: | ---: | ---: | ---: |"]
        lines += [
            f"| {key} | {s.rows} | {s.late_uploads} | {s.pages} | {s.bytes_written} |" for key, s in per_day
        ]
        metadata["partitions"] = MetadataValue.md("\n".join(lines))
    return metadata


def _prepare_lake(context: AssetExecutionContext, lake: LakeResource, folder: str) -> None:
    """The lake answers and accepts writes before anything is pulled; leftovers of killed writers go."""
    removed = lake.prepare_for_writes(folder)
    if removed:
        context.log.warning(f"Removed {len(removed)} leftover(s) of killed writers: {', '.join(removed[:5])}")


def _pull_days(
    context: AssetExecutionContext, api: "SquareApi", lake: LakeResource, entity: "RawEntity", timezone: str
) -> Iterator[tuple[str, "PullStats"]]:
    """Each partition of the run in turn, its file replaced as soon as it is pulled, with its figures."""
    from square_sales.ingestion.pull import pull_day

    location_ids = api.location_ids()
    for key in context.partition_keys:
        stats = pull_day(
            api, lake, entity, date.fromisoformat(key), timezone, location_ids, context.run.run_id
        )
        context.log.info(
            f"{entity.name} {key}: {stats.rows} rows from {stats.pages} pages, "
            f"{stats.late_uploads} late, {stats.bytes_written} bytes in {stats.seconds:.1f}s"
        )
        if stats.malformed.total or stats.null_key_rows:
            context.log.warning(
                f"{entity.name} {key}: {stats.null_key_rows} row(s) with a null key, malformed values "
                f"kept as null: {stats.malformed.summary() or 'none'}"
            )
        yield key, stats


def _daily_raw_asset(
    entity_name: str, partitions: DailyPartitionsDefinition, freshness_policy: FreshnessPolicy | None
) -> AssetsDefinition:
    @asset(
        key=raw_asset_key(entity_name),
        group_name=RAW_GROUP,
        partitions_def=partitions,
        backfill_policy=BackfillPolicy.single_run(),
        kinds=RAW_KINDS,
        owners=[OWNER],
        description=DAILY_DESCRIPTIONS[entity_name],
        metadata={"lake_path": f"raw/square/{entity_name}/date=YYYY-MM-DD/part-000.parquet"},
        freshness_policy=freshness_policy,
    )
    def _raw_daily(context: AssetExecutionContext, square: SquareClientResource, lake: LakeResource):
        from square_sales.ingestion.layout import ENTITIES
        from square_sales.ingestion.pull import PullStats

        entity = ENTITIES[entity_name]
        _prepare_lake(context, lake, entity.folder)
        total = PullStats()
        per_day: list[tuple[str, PullStats]] = []
        try:
            with square.open(log=context.log) as api:
                for key, stats in _pull_days(context, api, lake, entity, partitions.timezone):
                    total.add(stats)
                    per_day.append((key, stats))
                retries = api.stats.retries
        except BaseException:
            _record_committed_days(context, per_day, lake)
            raise
        return MaterializeResult(metadata=_metadata(total, per_day, retries, lake))

    return _raw_daily


def _record_committed_days(
    context: AssetExecutionContext, per_day: list[tuple[str, "PullStats"]], lake: LakeResource
) -> None:
    """The days whose file was replaced before the step failed, as materializations of their partitions."""
    for key, stats in per_day:
        metadata = _metadata(stats, [(key, stats)], 0, lake)
        metadata["committed_before_failure"] = MetadataValue.bool(True)
        context.log_event(AssetMaterialization(asset_key=context.asset_key, partition=key, metadata=metadata))
    if per_day:
        context.log.warning(
            f"Failed after replacing {len(per_day)} of {len(context.partition_keys)} day(s) "
            f"({per_day[0][0]}..{per_day[-1][0]}): recorded them; the other days keep their previous files."
        )


def _snapshot_raw_asset(entity_name: str, freshness_policy: FreshnessPolicy | None) -> AssetsDefinition:
    @asset(
        key=raw_asset_key(entity_name),
        group_name=RAW_GROUP,
        kinds=RAW_KINDS,
        owners=[OWNER],
        description=SNAPSHOT_DESCRIPTIONS[entity_name],
        metadata={"lake_path": f"raw/square/{entity_name}/snapshot_at=YYYYMMDDTHHMMSSZ/part-000.parquet"},
        freshness_policy=freshness_policy,
    )
    def _raw_snapshot(context: AssetExecutionContext, square: SquareClientResource, lake: LakeResource):
        from square_sales.ingestion.layout import ENTITIES
        from square_sales.ingestion.pull import pull_snapshot

        entity = ENTITIES[entity_name]
        _prepare_lake(context, lake, entity.folder)
        with square.open(log=context.log) as api:
            stats = pull_snapshot(api, lake, entity, datetime.now(UTC), context.run.run_id)
            retries = api.stats.retries
        _prune_snapshots(lake, entity.folder)
        return MaterializeResult(metadata=_metadata(stats, [("snapshot", stats)], retries, lake))

    return _raw_snapshot


def _prune_snapshots(lake: LakeResource, folder: str) -> None:
    snapshots = sorted({path.rsplit("/", 1)[0] for path in lake.find(folder, suffix=".parquet")})
    for snapshot in snapshots[:-SNAPSHOTS_KEPT]:
        lake.delete(snapshot, recursive=True)


def build_daily_raw_assets(
    partitions: DailyPartitionsDefinition, freshness_policy: FreshnessPolicy | None = None
) -> list[AssetsDefinition]:
    with accepted_dagster_previews():  # single-run backfill policy
        return [_daily_raw_asset(name, partitions, freshness_policy) for name in DAILY_DESCRIPTIONS]


def build_snapshot_raw_assets(freshness_policy: FreshnessPolicy | None = None) -> list[AssetsDefinition]:
    return [_snapshot_raw_asset(name, freshness_policy) for name in SNAPSHOT_DESCRIPTIONS]
