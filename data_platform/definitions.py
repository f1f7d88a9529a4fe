"""The generic `data_platform` code location: shared resources, platform jobs and cross-location sensors."""

from __future__ import annotations

from dagster import Definitions

from data_platform.resources import build_lake, build_warehouse
from data_platform.settings import load_settings

settings = load_settings()
lake = build_lake(settings)

defs = Definitions(
    resources={"lake": lake, "warehouse": build_warehouse(settings, lake)},
)
