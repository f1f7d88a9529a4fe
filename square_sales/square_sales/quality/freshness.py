"""Freshness of the backfill window (ERROR, unpartitioned, on its own schedule): staleness is exactly the case
where no pull runs, so this check cannot ride along with a materialization."""

from datetime import UTC, date, datetime, timedelta

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetRecordsFilter,
    DailyPartitionsDefinition,
    asset_check,
)

from data_platform.resources.lake import LakeResource
from square_sales.ingestion.layout import RawEntity
from square_sales.quality.common import md_table
from square_sales.quality.config import QualitySettings
from square_sales.quality.reading import raw_days


def freshness_check(
    entity: RawEntity, settings: QualitySettings, window_days: int, partitions: DailyPartitionsDefinition
) -> AssetChecksDefinition:
    max_age = timedelta(hours=settings.freshness_max_age_hours)

    @asset_check(
        asset=entity.asset_key,
        name="window_partitions_fresh",
        description=(
            f"Each partition of the last {window_days} day(s) was pulled at most "
            f"{settings.freshness_max_age_hours} h ago (late offline uploads are only caught by re-pulls)."
        ),
    )
    def check(context: AssetCheckExecutionContext, lake: LakeResource) -> AssetCheckResult:
        now = datetime.now(UTC)
        last_key = partitions.get_last_partition_key()
        first_day = date.fromisoformat(partitions.get_first_partition_key())
        last_day = date.fromisoformat(last_key) if last_key else first_day - timedelta(days=1)
        days = [
            last_day - timedelta(days=back)
            for back in reversed(range(window_days))
            if last_day - timedelta(days=back) >= first_day
        ]
        with raw_days(lake, entity, days) as (con, _):
            pulled = dict(con.execute("SELECT date, max(_ingested_at) FROM raw GROUP BY date").fetchall())
        # A day with no sales (yet) has no rows to date it: Dagster's record of the partition's last pull does.
        for day in days:
            if pulled.get(day) is None:
                records = context.instance.fetch_materializations(
                    AssetRecordsFilter(asset_key=entity.asset_key, asset_partitions=[day.isoformat()]),
                    limit=1,
                ).records
                if records:
                    pulled[day] = datetime.fromtimestamp(records[0].timestamp, tz=UTC)
        table, stale = [], []
        for day in days:
            at = pulled.get(day)
            age = now - at if at else None
            if age is None or age > max_age:
                stale.append(
                    f"{day} ({f'{age.total_seconds() / 3600:.1f} h ago' if age else 'never pulled'})"
                )
            table.append(
                (
                    day,
                    at.isoformat(timespec="seconds") if at else "never",
                    f"{age.total_seconds() / 3600:.1f}" if age else "-",
                )
            )
        return AssetCheckResult(
            passed=not stale,
            severity=AssetCheckSeverity.ERROR,
            description=(
                f"Stale partitions (older than {settings.freshness_max_age_hours} h): {', '.join(stale)}"
                if stale
                else f"All {len(days)} window partitions pulled within {settings.freshness_max_age_hours} h."
            ),
            metadata={
                "stale_partitions": len(stale),
                "max_age_hours": settings.freshness_max_age_hours,
                "partitions": md_table(["partition", "last pulled (UTC)", "age (h)"], table),
            },
        )

    return check
