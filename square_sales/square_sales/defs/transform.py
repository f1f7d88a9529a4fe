"""Transformation: the dbt models as assets (staging, marts), their automation and the warehouse rebuild job."""

import dagster as dg

from square_sales.partitions import daily_partitions
from square_sales.quality.freshness_policies import freshness_policies
from square_sales.settings import square_sales_settings
from square_sales.transform import transform_definitions


@dg.definitions
def defs() -> dg.Definitions:
    return transform_definitions(daily_partitions(), freshness_policies(square_sales_settings()))
