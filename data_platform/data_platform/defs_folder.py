"""Assemble a code location from its ``defs/`` folder: every module there exposes ``defs`` (a ``@dg.definitions``
function), and the location is their merge.

This is what ``dg.load_from_defs_folder`` does for plain Python modules, minus one thing: Dagster's loader also
imports every component library installed in the environment to describe its component types to the UI. Here
that is dagster-dbt and with it dbt-core (~1.4 s), so every location, `data_platform` included, would pay for
dbt on every load. No location here declares components, so they are not loaded.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import dagster as dg

from data_platform.environment import ConfigError


def load_defs_folder(package: str) -> dg.Definitions:
    """The merged definitions of the modules in ``package`` (e.g. ``square_sales.defs``), in name order."""
    folder = importlib.import_module(package)
    parts = []
    try:
        for module_info in sorted(pkgutil.iter_modules(folder.__path__), key=lambda m: m.name):
            module = importlib.import_module(f"{package}.{module_info.name}")
            defs = getattr(module, "defs", None)
            if defs is None:
                raise dg.DagsterInvariantViolationError(
                    f"{module.__name__} defines no `defs`: every module in {package} contributes definitions."
                )
            parts.append(defs() if callable(defs) else defs)
    except ConfigError as error:
        # Dagster prints the loading error after some 70 lines of its own traceback: say it first, in one line.
        print(f"{package.split('.')[0]}: bad setting: {error}", file=sys.stderr, flush=True)
        raise
    return dg.Definitions.merge(*parts)
