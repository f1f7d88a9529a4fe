"""Raw Square assets: daily partitions of what Square filters by time (orders, payments, refunds, inventory
changes, timecards, cash drawer shifts and their events, payouts and their entries, gift card activities, loyalty
events); snapshots of the rest (locations, catalog, customers, team members, inventory counts, disputes, gift cards,
loyalty accounts, invoices).

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
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from dagster import (
    AssetExecutionContext,
    AssetMaterialization,
    AssetsDefinition,
    BackfillPolicy,
    Config,
    DailyPartitionsDefinition,
    FreshnessPolicy,
    MaterializeResult,
    MetadataValue,
    asset,
)
from pydantic import Field

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
    "inventory_changes": "Square inventory changes (physical counts and adjustments: sales, returns, receipts, "
    "waste) by business day of occurred_at, all locations, as Square has recorded them by now: an offline sale's "
    "stock movement reaches Square with its upload and lands in the day it happened. One scan per run.",
    "timecards": "Square timecards (who worked when, breaks, wage) by business day of start_at, all locations.",
    "cash_drawer_shifts": "Square cash drawer shifts in full (float, cash sales and refunds, paid in/out, "
    "expected and counted cash) by business day of opened_at, per location.",
    "cash_drawer_shift_events": "The events of each cash drawer shift (cash payments and refunds, paid in/out, "
    "no sale), in the partition of the shift's opening day, with the shift and location they belong to.",
    "payouts": "Square payouts to the bank by business day of created_at, per location.",
    "payout_entries": "The entries of each payout (charges, fees, refunds), in the partition of the payout's day, "
    "with the payout's location.",
    "gift_card_activities": "Square gift card activities (activations, loads, redemptions, refunds) by business "
    "day of created_at, all locations.",
    "loyalty_events": "Square loyalty events (points accumulated, adjusted, redeemed) by business day of "
    "created_at (when Square recorded them), all locations.",
}
SNAPSHOT_DESCRIPTIONS = {
    "locations": "All Square locations (complete snapshot each run).",
    "team_members": "The seller's team members with their wage settings (complete snapshot).",
    "inventory_counts": "Current stock (IN_STOCK) per item variation and location (complete snapshot).",
    "disputes": "Card payment disputes (chargebacks) in every state (complete snapshot: Square lists them without a "
    "time filter).",
    "gift_cards": "The seller's gift cards with their current balance (complete snapshot).",
    "loyalty_accounts": "Loyalty accounts with their point balance (complete snapshot).",
    "invoices": "Invoices of every location, with their status (complete snapshot).",
}


INCREMENTAL_DESCRIPTIONS = {
    "catalog": "The Square catalog (items, variations, categories, taxes, discounts, modifiers, pricing rules), "
    "pulled incrementally: the objects changed since the last pull (SearchCatalogObjects begin_time, deleted "
    "objects included), a full listing the first time, weekly and on demand (run config full_pull).",
    "customers": "Square customer profiles, pulled incrementally: those created or updated since the last pull "
    "(SearchCustomers updated_at), a full listing the first time, weekly and on demand (run config full_pull): "
    "Square keeps no trace of a deleted profile, so deletions show at the next full listing.",
}


class IncrementalPullConfig(Config):
    full_pull: bool = Field(
        default=False, description="List everything again instead of pulling the changes since the last pull."
    )
    full_pull_after_days: int = Field(
        default=7, ge=1, description="A full listing runs by itself when the newest one is older than this."
    )


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
    """Each partition of the run in turn, its file replaced as soon as it is pulled (a range scan's all at once,
    when the scan ends), with its figures."""
    from square_sales.ingestion.pull import pull_days

    location_ids = api.location_ids()
    days = [date.fromisoformat(key) for key in context.partition_keys]
    for day, stats in pull_days(api, lake, entity, days, timezone, location_ids, context.run.run_id):
        key = day.isoformat()
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


def _incremental_raw_asset(entity_name: str, freshness_policy: FreshnessPolicy | None) -> AssetsDefinition:
    @asset(
        key=raw_asset_key(entity_name),
        group_name=RAW_GROUP,
        kinds=RAW_KINDS,
        owners=[OWNER],
        description=INCREMENTAL_DESCRIPTIONS[entity_name],
        metadata={
            "lake_path": f"raw/square/{entity_name}/snapshot_at=YYYYMMDDTHHMMSSffffffZ[-changes]/part-000.parquet"
        },
        freshness_policy=freshness_policy,
    )
    def _raw_incremental(
        context: AssetExecutionContext,
        config: IncrementalPullConfig,
        square: SquareClientResource,
        lake: LakeResource,
    ):
        from square_sales.ingestion import incremental
        from square_sales.ingestion.layout import ENTITIES
        from square_sales.ingestion.pull import pull_changes, pull_snapshot

        entity = ENTITIES[entity_name]
        _prepare_lake(context, lake, entity.folder)
        now = datetime.now(UTC)
        state = incremental.lake_state(lake, entity)
        since = incremental.changes_since(
            state, now, config.full_pull, timedelta(days=config.full_pull_after_days)
        )
        path = incremental.pull_path(entity, now, changes=since is not None)
        with square.open(log=context.log) as api:
            if since is None:
                stats = pull_snapshot(api, lake, entity, now, context.run.run_id, path=path)
            else:
                stats = pull_changes(api, lake, entity, since, path, context.run.run_id)
            retries = api.stats.retries
        incremental.prune(lake, entity)
        pulled = "full listing" if since is None else f"changes since {since.isoformat()}"
        context.log.info(f"{entity_name}: {pulled}, {stats.rows} rows from {stats.pages} pages")
        metadata = _metadata(stats, [("snapshot", stats)], retries, lake)
        metadata["pull"] = MetadataValue.text(pulled)
        return MaterializeResult(metadata=metadata)

    return _raw_incremental


def build_daily_raw_assets(
    partitions: DailyPartitionsDefinition, freshness_policy: FreshnessPolicy | None = None
) -> list[AssetsDefinition]:
    with accepted_dagster_previews():  # single-run backfill policy
        return [_daily_raw_asset(name, partitions, freshness_policy) for name in DAILY_DESCRIPTIONS]


def build_snapshot_raw_assets(freshness_policy: FreshnessPolicy | None = None) -> list[AssetsDefinition]:
    """The objects Square lists whole: snapshots, and catalog and customers pulled incrementally."""
    return [
        *(_snapshot_raw_asset(name, freshness_policy) for name in SNAPSHOT_DESCRIPTIONS),
        *(_incremental_raw_asset(name, freshness_policy) for name in INCREMENTAL_DESCRIPTIONS),
    ]
