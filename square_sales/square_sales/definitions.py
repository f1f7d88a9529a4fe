"""The `square_sales` code location: Square POS sales from the API to the marts."""

from __future__ import annotations

from dagster import Definitions, EnvVar

from data_platform.resources import build_lake, build_warehouse
from data_platform.settings import load_settings
from square_sales.config import SQUARE_ACCESS_TOKEN_VARIABLE, load_square_sales_settings
from square_sales.ingestion import ingestion_definitions
from square_sales.ingestion.client import SquareClientResource
from square_sales.quality import build_quality_definitions, load_quality_settings
from square_sales.transform import transform_definitions

settings = load_settings()
square_settings = load_square_sales_settings()
lake = build_lake(settings)

square = SquareClientResource(
    base_url=settings.square_base_url,
    # Resolved in the run process only; never in run config, metadata or logs.
    access_token=EnvVar(SQUARE_ACCESS_TOKEN_VARIABLE),
    request_timeout_seconds=square_settings.request_timeout_seconds,
    retry_max_seconds=square_settings.retry_max_seconds,
)

defs = Definitions.merge(
    ingestion_definitions(square_settings),
    transform_definitions(lake),
    build_quality_definitions(load_quality_settings(), square_settings.backfill_window_days),
    Definitions(
        resources={"lake": lake, "warehouse": build_warehouse(settings, lake), "square": square},
    ),
)
