"""Data quality: checks on the raw layer, the job re-running them and the freshness schedule."""

import dagster as dg

from square_sales.partitions import daily_partitions
from square_sales.quality import build_quality_definitions, load_quality_settings
from square_sales.settings import square_sales_settings


@dg.definitions
def defs() -> dg.Definitions:
    return build_quality_definitions(
        load_quality_settings(), square_sales_settings().backfill_window_days, daily_partitions()
    )
