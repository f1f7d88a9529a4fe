"""Dashboard reports: the report marts' parity checks against Square's Reporting API, their job and schedule."""

import dagster as dg

from square_sales.partitions import daily_partitions
from square_sales.reports import reports_definitions
from square_sales.settings import square_sales_settings


@dg.definitions
def defs() -> dg.Definitions:
    return reports_definitions(square_sales_settings(), daily_partitions())
