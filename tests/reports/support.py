"""Running the report marts' parity checks in process against a pipeline's warehouse and the sandbox."""

from __future__ import annotations

import datetime as dt

from dagster import AssetCheckKey, AssetKey, Definitions

from data_platform.partition_ranges import partition_range_tags
from data_platform.resources.warehouse import WarehouseResource
from square_sales.ingestion.resource import SquareClientResource
from square_sales.partitions import daily_partitions
from square_sales.reports.checks import PARITY_JOB, build_parity_checks, build_parity_job
from square_sales.reports.specs import PARITY_CHECK, ReportSpec, report_specs
from square_sales.transform.manifest import DbtManifest
from square_sales.transform.project import dbt_manifest_path

SPECS = report_specs(DbtManifest.load(dbt_manifest_path()))
AUDIT_DAYS = 35


def spec_of(model: str) -> ReportSpec:
    return next(spec for spec in SPECS if spec.model == model)


def parity_definitions(
    pipeline, specs: list[ReportSpec] | None = None, retry_max_seconds: float = 30, token: str | None = None
) -> Definitions:
    """The parity checks and their job, bound to the pipeline's warehouse and the sandbox it pulled from (with
    its token, unless another is given)."""
    checks = build_parity_checks(specs or SPECS, daily_partitions(), AUDIT_DAYS)
    handle = pipeline.square_handle
    return Definitions(
        asset_checks=[checks],
        jobs=[build_parity_job(checks)],
        resources={
            "warehouse": WarehouseResource(database_path=str(pipeline.database_path), lake=pipeline.lake),
            "square": SquareClientResource(
                base_url=handle.base_url,
                access_token=token or handle.token,
                retry_max_seconds=retry_max_seconds,
            ),
        },
    )


def run_parity(pipeline, first: dt.date, last: dt.date, specs: list[ReportSpec] | None = None, **options):
    """One run of the parity job over business days first..last; returns the run's result."""
    job = parity_definitions(pipeline, specs, **options).resolve_job_def(PARITY_JOB)
    result = job.execute_in_process(
        instance=pipeline.instance,
        tags=partition_range_tags(first.isoformat(), last.isoformat()),
        raise_on_error=False,
    )
    assert result.success, "a parity run never fails: its checks do"
    return result


def evaluations(result) -> dict[str, object]:
    """The run's check evaluations by mart name."""
    found = {}
    for event in result.all_events:
        if event.event_type_value == "ASSET_CHECK_EVALUATION":
            data = event.event_specific_data
            assert data.check_name == PARITY_CHECK
            found[data.asset_key.path[-1]] = data
    return found


def check_key(model: str) -> AssetCheckKey:
    return AssetCheckKey(AssetKey(["marts", model]), PARITY_CHECK)
