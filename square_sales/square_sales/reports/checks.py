"""The parity checks as Dagster defines them: one asset check per report mart (`matches_square_reporting_api`),
run together in one step (one look at ``/v1/meta``), a job running them alone and the schedule running that job
daily over the last AUDIT_DAYS.

A check compares the business days of its run: the run's partition or partition range (tags), or, launched
without one (from an asset's Checks tab), the last AUDIT_DAYS. Reading the warehouse blocks dbt from writing it,
so the step takes the warehouse pool and the job's runs the warehouse-writer tag.
"""

# No `from __future__ import annotations` here: Dagster reads the context annotation of the check function.
from datetime import UTC, date, datetime

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckKey,
    AssetChecksDefinition,
    AssetCheckSpec,
    AssetSelection,
    DailyPartitionsDefinition,
    DefaultScheduleStatus,
    RunRequest,
    ScheduleDefinition,
    ScheduleEvaluationContext,
    define_asset_job,
    multi_asset_check,
    schedule,
)

from data_platform.partition_ranges import partition_range_tags
from data_platform.resources.warehouse import WarehouseResource
from square_sales.gold.tables import BusinessDays
from square_sales.ingestion.audit import run_partition_keys
from square_sales.ingestion.resource import SquareClientResource
from square_sales.partitions import trailing_partition_keys
from square_sales.reports.specs import PARITY_CHECK, ReportSpec
from square_sales.transform.assets import WAREHOUSE_POOL
from square_sales.transform.automation import WAREHOUSE_WRITER_TAG

PARITY_CHECKS = "square_reports_parity"
PARITY_JOB = "square_reports_parity_job"
PARITY_SCHEDULE = "square_reports_parity_schedule"


def checked_days(
    partitions: DailyPartitionsDefinition, tags: dict[str, str], audit_days: int, now: datetime
) -> tuple[date, date]:
    """The business days a run compares: its partitions, else the last ``audit_days`` up to ``now``."""
    keys = run_partition_keys(partitions, tags) or trailing_partition_keys(partitions, now, audit_days)
    return date.fromisoformat(keys[0]), date.fromisoformat(keys[-1])


def _check_spec(spec: ReportSpec) -> AssetCheckSpec:
    return AssetCheckSpec(
        name=PARITY_CHECK,
        asset=spec.key,
        description=(
            f"Equals Square's Reporting API view {spec.view} for every store-day of the run: "
            f"{', '.join(spec.measures)} per {', '.join(('location', 'business day', *spec.dimensions))}"
            f"{' and local hour' if spec.by_hour else ''}, exactly (money in minor units). Fails with the "
            "store-days and measures that differ and the raw partitions to re-pull; days Square has not "
            "refreshed yet are skipped."
        ),
    )


def build_parity_checks(
    specs: list[ReportSpec], partitions: DailyPartitionsDefinition, audit_days: int
) -> AssetChecksDefinition:
    checks = {AssetCheckKey(spec.key, PARITY_CHECK): spec for spec in specs}

    @multi_asset_check(
        name=PARITY_CHECKS,
        specs=[_check_spec(spec) for spec in specs],
        can_subset=True,
        pool=WAREHOUSE_POOL,
        description="The report marts compared with Square's Reporting API, store-day by store-day.",
    )
    def square_reports_parity(
        context: AssetCheckExecutionContext, square: SquareClientResource, warehouse: WarehouseResource
    ):
        from square_sales.reports.evaluate import evaluate_reports

        first, last = checked_days(partitions, context.run.tags, audit_days, datetime.now(UTC))
        context.log.info(f"Comparing business days {first}..{last} with Square's Reporting API.")
        selected = [checks[key] for key in sorted(context.selected_asset_check_keys, key=str)]
        yield from evaluate_reports(
            context, square, warehouse, selected, BusinessDays(first, last), partitions.timezone
        )

    return square_reports_parity


def build_parity_job(checks: AssetChecksDefinition):
    return define_asset_job(
        PARITY_JOB,
        selection=AssetSelection.checks(checks),
        tags=WAREHOUSE_WRITER_TAG,
        description="Compare the report marts with Square's Reporting API for a partition range (no pull).",
    )


def build_parity_schedule(
    job, partitions: DailyPartitionsDefinition, audit_days: int, cron: str
) -> ScheduleDefinition:
    @schedule(
        name=PARITY_SCHEDULE,
        cron_schedule=cron,
        job=job,
        execution_timezone=partitions.timezone,
        default_status=DefaultScheduleStatus.RUNNING,
        description=(
            f"Compares the report marts with Square's Reporting API over the last {audit_days} days "
            "(AUDIT_DAYS, AUDIT_SCHEDULE_CRON), in one run."
        ),
    )
    def square_reports_parity_schedule(context: ScheduleEvaluationContext) -> RunRequest:
        keys = trailing_partition_keys(partitions, context.scheduled_execution_time, audit_days)
        tick = context.scheduled_execution_time.strftime("%Y%m%dT%H%M")
        return RunRequest(run_key=f"parity-{tick}", tags=partition_range_tags(keys[0], keys[-1]))

    return square_reports_parity_schedule
