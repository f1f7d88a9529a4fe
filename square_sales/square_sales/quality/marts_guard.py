"""The marts-vs-lake guard: raw-vs-mart staleness is never invisible.

``marts_match_lake``, an asset check on ``marts/daily_sales_by_location``, compares per store-day of the last
AUDIT_DAYS what the lake holds with what the marts hold (``quality/marts_vs_lake.py``) and fails with the days that
differ; its metadata says how stale the marts are (when the lake last changed around each such day, when the marts
were last built there). It runs on a schedule, in the warehouse writer's pool (DuckDB: one writer, no reader
meanwhile). ``square_marts_vs_lake_repair`` reads each new failed evaluation and re-pulls the days it names: the
re-pull goes through the raw checks and the automation like any other, so the rebuild never skips a blocking check.
"""

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckKey,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetKey,
    AssetRecordsFilter,
    AssetSelection,
    DailyPartitionsDefinition,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    Definitions,
    Failure,
    MetadataValue,
    ScheduleDefinition,
    SensorDefinition,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    asset_check,
    define_asset_job,
    sensor,
)

from data_platform.partition_ranges import partition_range_of
from data_platform.resources.warehouse import WarehouseResource
from square_sales.ingestion.jobs import days_run_requests, square_raw_daily_job
from square_sales.keys import DAILY_RAW_KEYS
from square_sales.partitions import trailing_partition_keys
from square_sales.quality.common import SAMPLE, md_table
from square_sales.transform.assets import WAREHOUSE_POOL
from square_sales.transform.automation import WAREHOUSE_WRITER_TAG
from square_sales.transform.partition_window import dbt_window_for_partitions

SALES = AssetKey(["marts", "daily_sales_by_location"])
CHECK_NAME = "marts_match_lake"
CHECK_KEY = AssetCheckKey(SALES, CHECK_NAME)
GUARD_JOB = "square_marts_vs_lake_check"
# Hourly, at a quarter to: after the window's run (:00) and its dbt run have had time to finish.
GUARD_CRON = "45 * * * *"
REPAIR_INTERVAL_SECONDS = 300
DAY = timedelta(days=1)

Clock = Callable[[], datetime]


def _latest_materialization(instance, keys: list[AssetKey], partitions: list[str]) -> datetime | None:
    moments = []
    for key in keys:
        records = instance.fetch_materializations(
            AssetRecordsFilter(key, asset_partitions=partitions), limit=1
        ).records
        moments += [datetime.fromtimestamp(r.timestamp, tz=UTC) for r in records]
    return max(moments, default=None)


def _around(day: date) -> list[str]:
    """The partitions that can hold a local business day: the reporting day before, of, and after it."""
    return [(day + timedelta(days=n)).isoformat() for n in (-1, 0, 1)]


def _staleness_rows(instance, days: list[date], now: datetime) -> tuple[list[tuple], float]:
    """Per differing day: when the lake last changed around it, when the marts were last built there, and for
    how long (at least) the marts have been behind the lake; and the longest such time, in hours."""
    rows, worst = [], 0.0
    for day in days:
        lake = _latest_materialization(instance, DAILY_RAW_KEYS, _around(day))
        marts = _latest_materialization(instance, [SALES], _around(day))
        behind = (now - lake).total_seconds() / 3600 if lake and (marts is None or lake > marts) else None
        worst = max(worst, behind or 0.0)
        rows.append(
            (
                day,
                lake.isoformat(timespec="seconds") if lake else "never",
                marts.isoformat(timespec="seconds") if marts else "never",
                f"{behind:.1f}" if behind is not None else "-",
            )
        )
    return rows, worst


def _compared_days(
    partitions: DailyPartitionsDefinition, audit_days: int, now: datetime, tags: dict[str, str]
) -> tuple[date, date]:
    """The local business days to compare: in a dbt run (Dagster adds the check to every run building the
    mart), the days that run rebuilt; on its own schedule, the last AUDIT_DAYS."""
    bounds = partition_range_of(tags)
    if bounds is not None:
        window = dbt_window_for_partitions(date.fromisoformat(bounds[0]), date.fromisoformat(bounds[1]) + DAY)
        return window.business_date_start, window.business_date_end
    keys = trailing_partition_keys(partitions, now, audit_days)
    return date.fromisoformat(keys[0]), date.fromisoformat(keys[-1])


def _marts_match_lake_check(partitions: DailyPartitionsDefinition, audit_days: int, clock: Clock):
    @asset_check(
        asset=SALES,
        name=CHECK_NAME,
        pool=WAREHOUSE_POOL,
        description=(
            f"Per store and local business day of the last {audit_days} days (AUDIT_DAYS; in a dbt run, the days "
            "it rebuilt), the marts hold what the lake holds now: orders, line items, payments, refunds and net "
            "sales. Fails with the days that differ (they are then re-pulled and rebuilt); metadata says how long "
            "the marts have been behind."
        ),
    )
    def marts_match_lake(
        context: AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> AssetCheckResult:
        from square_sales.quality.marts_vs_lake import (
            WarehouseUnavailable,
            compare,
            raw_days_behind,
            read_only,
        )

        now = clock()
        first, last = _compared_days(partitions, audit_days, now, context.run.tags)
        try:
            with read_only(warehouse) as connection:
                behind = raw_days_behind(connection, warehouse.lake, first, last)
                store_days = compare(connection, first, last, partitions.timezone)
        except WarehouseUnavailable as error:
            raise Failure(description=str(error)) from None
        differing = [d for d in store_days if d.differing]
        days = sorted({d.business_date for d in differing} | {b.day for b in behind})
        staleness, worst = _staleness_rows(context.instance, days, now)
        problems = [
            f"{b.entity} {b.day}: lake version {b.in_lake:%Y-%m-%d %H:%M:%S}, marts built from "
            + (f"{b.in_warehouse:%Y-%m-%d %H:%M:%S}" if b.in_warehouse else "nothing")
            for b in behind[:SAMPLE]
        ] + [
            f"{d.business_date} {d.location_id}: "
            + ", ".join(f"{f} lake {d.lake[i]} marts {d.marts[i]}" for i, f in _figures(d))
            for d in differing[: max(SAMPLE - len(behind), 0)]
        ]
        failed = bool(differing or behind)
        return AssetCheckResult(
            passed=not failed,
            severity=AssetCheckSeverity.ERROR,
            description=(
                f"{len(behind)} raw partition(s) newer than the marts were built from, {len(differing)} "
                f"store-day(s) differing from the lake, on {len(days)} day(s); the marts are at least "
                f"{worst:.1f} h behind. E.g. {'; '.join(problems)}"
                if failed
                else f"All {len(store_days)} store-days from {first} to {last} match the lake."
            ),
            metadata={
                "store_days_compared": len(store_days),
                "differing_store_days": len(differing),
                "raw_partitions_behind": len(behind),
                "differing_days": MetadataValue.json([day.isoformat() for day in days]),
                "max_hours_behind": round(worst, 2),
                "staleness": md_table(
                    ["business day", "lake changed", "marts built", "hours behind"], staleness
                ),
                "compared_days": f"{first}..{last}",
            },
        )

    return marts_match_lake


def _figures(day) -> list[tuple[int, str]]:
    from square_sales.quality.marts_vs_lake import FIGURES

    return [(i, f) for i, f in enumerate(FIGURES) if f in day.differing]


def _repair_sensor() -> SensorDefinition:
    @sensor(
        name="square_marts_vs_lake_repair",
        job=square_raw_daily_job,
        minimum_interval_seconds=REPAIR_INTERVAL_SECONDS,
        default_status=DefaultSensorStatus.RUNNING,
        description=f"Re-pulls the days a failed {CHECK_NAME} evaluation names, so the automation rebuilds them.",
    )
    def square_marts_vs_lake_repair(context: SensorEvaluationContext):
        handled = int(context.cursor or 0)
        history = context.instance.event_log_storage.get_asset_check_execution_history(CHECK_KEY, limit=20)
        # Dagster does not export the status enum; its values are stable strings.
        done = [r for r in history if r.id > handled and r.status.value in ("SUCCEEDED", "FAILED")]
        if not done:
            return SkipReason(f"No new {CHECK_NAME} evaluation.")
        latest = max(done, key=lambda r: r.id)
        cursor = str(latest.id)
        evaluation = latest.event.dagster_event.asset_check_evaluation_data
        days = evaluation.metadata["differing_days"].value if not evaluation.passed else []
        if not days:
            return SensorResult(skip_reason=SkipReason("The marts match the lake."), cursor=cursor)
        context.log.info(f"Re-pulling days whose marts differ from the lake: {', '.join(days)}")
        return SensorResult(
            run_requests=days_run_requests(days, "marts differ from the lake", f"marts-{cursor}"),
            cursor=cursor,
        )

    return square_marts_vs_lake_repair


def build_marts_guard_definitions(
    partitions: DailyPartitionsDefinition, audit_days: int, clock: Clock | None = None
) -> Definitions:
    """The guard's check, its job and schedule, and the repair sensor. ``clock`` tells the check which days are
    the last AUDIT_DAYS (the system clock by default)."""
    check = _marts_match_lake_check(partitions, audit_days, clock or (lambda: datetime.now(UTC)))
    job = define_asset_job(
        GUARD_JOB,
        selection=AssetSelection.checks(check),
        tags=WAREHOUSE_WRITER_TAG,
        description="Compare the marts with the lake, per store-day of the last AUDIT_DAYS.",
    )
    schedule = ScheduleDefinition(
        name="square_marts_vs_lake_schedule",
        job=job,
        cron_schedule=GUARD_CRON,
        execution_timezone=partitions.timezone,
        default_status=DefaultScheduleStatus.RUNNING,
        description=f"Runs {CHECK_NAME} every hour.",
    )
    return Definitions(asset_checks=[check], jobs=[job], schedules=[schedule], sensors=[_repair_sensor()])
