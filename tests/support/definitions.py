"""Build a code location's definitions as Dagster does (lazily, from its ``defs/`` folder), or the square_sales
parts with explicit settings, for tests."""

from __future__ import annotations

import importlib
from collections.abc import Mapping

from dagster import AssetsDefinition, Definitions

from square_sales.keys import raw_asset_key

# Python code that loads a location the way a code server does; a failure prints the error and exits non-zero.
LOAD_LOCATION_CODE = "import importlib; importlib.import_module('{location}.definitions').defs()"


def forget_settings() -> None:
    """Make the next load read the environment again (settings are read once per process, and cached)."""
    from data_platform.settings import platform_settings
    from square_sales.partitions import daily_partitions
    from square_sales.settings import square_sales_settings

    for cached in (platform_settings, square_sales_settings, daily_partitions):
        cached.cache_clear()


def load_location(location: str) -> Definitions:
    """The location's definitions, built as Dagster builds them (its module's lazy ``defs``)."""
    return importlib.import_module(f"{location}.definitions").defs()


def square_sales_parts(environ: Mapping[str, str] | None = None) -> Definitions:
    """The square_sales ingestion, quality and transform definitions for settings read from ``environ`` (the
    code location's defaults when None), without resources: tests bind their own."""
    from square_sales.ingestion import ingestion_definitions
    from square_sales.partitions import build_daily_partitions
    from square_sales.quality import build_quality_definitions, load_quality_settings
    from square_sales.settings import load_square_sales_settings
    from square_sales.transform import transform_definitions

    environ = environ or {}
    settings = load_square_sales_settings(environ)
    partitions = build_daily_partitions(settings)
    return Definitions.merge(
        ingestion_definitions(settings, partitions),
        build_quality_definitions(load_quality_settings(environ), settings.backfill_window_days, partitions),
        transform_definitions(partitions),
    )


def raw_assets(environ: Mapping[str, str] | None = None) -> dict[str, AssetsDefinition]:
    """The raw assets by entity name (orders, payments, ..., locations)."""
    from square_sales.ingestion.assets import build_daily_raw_assets, build_snapshot_raw_assets
    from square_sales.partitions import build_daily_partitions
    from square_sales.settings import load_square_sales_settings

    partitions = build_daily_partitions(load_square_sales_settings(environ or {}))
    assets = [*build_daily_raw_assets(partitions), *build_snapshot_raw_assets()]
    return {a.key.path[-1]: a for a in assets if a.key == raw_asset_key(a.key.path[-1])}
