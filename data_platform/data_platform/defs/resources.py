"""The shared resources every location binds the same way: the lake and the warehouse."""

import dagster as dg

from data_platform.resources import build_lake, build_warehouse
from data_platform.settings import platform_settings


@dg.definitions
def defs() -> dg.Definitions:
    settings = platform_settings()
    lake = build_lake(settings)
    return dg.Definitions(resources={"lake": lake, "warehouse": build_warehouse(settings, lake)})
