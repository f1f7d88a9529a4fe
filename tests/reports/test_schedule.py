"""The parity schedule as the square_sales code location defines it: on by default, daily at AUDIT_SCHEDULE_CRON
in the reporting time zone, each tick asking for one run of the parity job over the last AUDIT_DAYS (the run
itself, launched from a tick, is in test_offline_parity.py)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from dagster import DefaultScheduleStatus, build_schedule_context, instance_for_test

from data_platform.partition_ranges import partition_range_of
from square_sales.partitions import daily_partitions
from square_sales.reports.checks import PARITY_CHECKS, PARITY_JOB, PARITY_SCHEDULE
from square_sales.settings import square_sales_settings
from square_sales.transform.automation import WAREHOUSE_WRITER_TAG
from tests.support.definitions import load_location

DEFS = load_location("square_sales")
SETTINGS = square_sales_settings()


def test_the_parity_schedule_is_on_by_default_and_runs_the_parity_job_daily():
    schedule = DEFS.resolve_schedule_def(PARITY_SCHEDULE)
    assert schedule.default_status == DefaultScheduleStatus.RUNNING
    assert schedule.cron_schedule == SETTINGS.audit_schedule_cron == "30 6 * * *"
    assert schedule.execution_timezone == daily_partitions().timezone
    assert schedule.job_name == PARITY_JOB
    job = DEFS.resolve_job_def(PARITY_JOB)
    assert WAREHOUSE_WRITER_TAG.items() <= job.tags.items()  # waits for dbt, as every warehouse reader does
    assert {node.name for node in job.graph.nodes} == {PARITY_CHECKS}  # the checks alone: no pull, no dbt


def test_a_tick_asks_for_one_run_over_the_last_audit_days_and_only_once():
    schedule = DEFS.resolve_schedule_def(PARITY_SCHEDULE)
    timezone = ZoneInfo(schedule.execution_timezone)
    tick = dt.datetime(2026, 10, 22, 6, 30, tzinfo=timezone)
    with instance_for_test() as instance:
        with build_schedule_context(instance=instance, scheduled_execution_time=tick) as context:
            [request] = schedule.evaluate_tick(context).run_requests
        with build_schedule_context(instance=instance, scheduled_execution_time=tick) as context:
            [again] = schedule.evaluate_tick(context).run_requests
    first = tick.date() - dt.timedelta(days=SETTINGS.audit_days - 1)
    assert partition_range_of(request.tags) == (first.isoformat(), tick.date().isoformat())
    assert again.run_key == request.run_key  # a tick evaluated twice launches one run
