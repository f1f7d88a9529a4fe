"""The `square_sales` code location: Square POS data from the API to the lake and the marts.

Definitions are assembled lazily, when Dagster loads the location (not at import), from the modules in ``defs/``:
resources, ingestion (raw assets, schedules, sensors), quality checks and the dbt transformation."""

import dagster as dg

from data_platform.defs_folder import load_defs_folder


@dg.definitions
def defs() -> dg.Definitions:
    return load_defs_folder("square_sales.defs")
