"""The Square Dashboard's reports: their marts (dbt_project/models/marts/daily/_reports__models.yml) proven equal to
Square's own numbers through Square's Reporting API.

`specs.py` finds the report marts in the dbt manifest, `checks.py` defines their parity checks, job and schedule;
at run time `evaluate.py` asks Square (`reporting_api.py`, `square_side.py`), reads the marts (`mart_side.py`),
compares (`parity.py`) and reports (`results.py`).
"""

from __future__ import annotations

from dagster import DailyPartitionsDefinition, Definitions

from square_sales.settings import SquareSalesSettings


def reports_definitions(settings: SquareSalesSettings, partitions: DailyPartitionsDefinition) -> Definitions:
    """The parity checks of every report mart, the job running them and its daily schedule, without resources."""
    from square_sales.reports.checks import build_parity_checks, build_parity_job, build_parity_schedule
    from square_sales.reports.specs import report_specs
    from square_sales.transform.manifest import DbtManifest
    from square_sales.transform.project import dbt_manifest_path

    specs = report_specs(DbtManifest.load(dbt_manifest_path()))
    checks = build_parity_checks(specs, partitions, settings.audit_days)
    job = build_parity_job(checks)
    return Definitions(
        asset_checks=[checks],
        jobs=[job],
        schedules=[build_parity_schedule(job, partitions, settings.audit_days, settings.audit_schedule_cron)],
    )
