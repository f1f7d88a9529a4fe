"""The marts-vs-lake guard: its check, job and schedule, and the sensor re-pulling the days it finds stale."""

import dagster as dg

from square_sales.partitions import daily_partitions
from square_sales.quality.marts_guard import build_marts_guard_definitions
from square_sales.settings import square_sales_settings


@dg.definitions
def defs() -> dg.Definitions:
    return build_marts_guard_definitions(daily_partitions(), square_sales_settings().audit_days)
