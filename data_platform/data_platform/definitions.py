"""The generic `data_platform` code location: shared resources and the alert sensors watching every location.

Definitions are assembled lazily, when Dagster loads the location (not at import), from the modules in ``defs/``:
one module per concern, each returning its own ``Definitions``."""

import dagster as dg

from data_platform.defs_folder import load_defs_folder


@dg.definitions
def defs() -> dg.Definitions:
    return load_defs_folder("data_platform.defs")
