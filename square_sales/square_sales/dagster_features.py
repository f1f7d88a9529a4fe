"""The Dagster features in beta or preview that this domain uses on purpose, and why.

Dagster warns each time a definition uses one; building the definitions inside :func:`accepted_dagster_previews`
silences exactly these warnings (by category and message), so any other beta, preview or deprecation warning still
shows, in the tests and when a code location loads.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator

from dagster import BetaWarning, PreviewWarning

ACCEPTED = (
    (
        BetaWarning,
        r"Parameter `backfill_policy` of function `(asset|multi_asset)`",
        # A partition range is pulled and built in one run: one Square session, one dbt invocation.
        "single-run backfills of the raw assets and the dbt models (README, Backfills)",
    ),
    (
        BetaWarning,
        r"Parameter `use_user_code_server` of",
        # The dbt models' automation includes a condition of ours (blocking raw checks, read per partition).
        "the dbt automation sensor evaluated in the code server (square_sales/transform/automation.py)",
    ),
    (
        PreviewWarning,
        r"Specifying a partitions_def on an AssetCheckSpec",
        # The raw checks judge each daily partition, and the automation reads them per partition.
        "partitioned raw-layer checks (square_sales/quality)",
    ),
)


@contextlib.contextmanager
def accepted_dagster_previews() -> Iterator[None]:
    with warnings.catch_warnings():
        for category, message, _why in ACCEPTED:
            warnings.filterwarnings("ignore", message=message, category=category)
        yield
