"""The resources of the location: the shared lake and warehouse, Square, and dbt (whose target follows the lake)."""

import dagster as dg

from data_platform.resources import build_lake, build_warehouse
from data_platform.settings import platform_settings
from square_sales.ingestion.resource import SquareClientResource
from square_sales.settings import SQUARE_ACCESS_TOKEN_VARIABLE, square_sales_settings
from square_sales.transform.project import build_dbt_resource


@dg.definitions
def defs() -> dg.Definitions:
    settings = square_sales_settings()
    lake = build_lake(platform_settings())
    square = SquareClientResource(
        base_url=settings.square_base_url,
        # Resolved in the run process only; never in run config, metadata or logs.
        access_token=dg.EnvVar(SQUARE_ACCESS_TOKEN_VARIABLE),
        request_timeout_seconds=settings.request_timeout_seconds,
        retry_max_seconds=settings.retry_max_seconds,
    )
    return dg.Definitions(
        resources={
            "lake": lake,
            "warehouse": build_warehouse(platform_settings(), lake),
            "square": square,
            "dbt": build_dbt_resource(lake),
        }
    )
