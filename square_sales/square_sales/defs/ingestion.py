"""Ingestion: raw Square assets, the backfill-window and audit schedules, the late-change sensor."""

import dagster as dg

from square_sales.ingestion import ingestion_definitions
from square_sales.partitions import daily_partitions
from square_sales.settings import square_sales_settings


@dg.definitions
def defs() -> dg.Definitions:
    return ingestion_definitions(square_sales_settings(), daily_partitions())
