"""The command lines the README shows, for tests that run them as a user would."""

from __future__ import annotations

from tests.support.processes import REPO_ROOT

DAILY_RAW_ASSETS = "square/raw/orders,square/raw/payments,square/raw/refunds"
IN_PROCESS = '{"execution": {"config": {"in_process": {}}}}'


def dg_launch(assets: str, partition: str | None = None, partition_range: str | None = None) -> list[str]:
    """``dg launch`` of square_sales assets, the whole run in one process (README, Backfills)."""
    command = [
        str(REPO_ROOT / ".venv/bin/dg"),
        "launch",
        "-m",
        "square_sales.definitions",
        "--assets",
        assets,
    ]
    if partition:
        command += ["--partition", partition]
    if partition_range:
        command += ["--partition-range", partition_range]
    return [*command, "--config-json", IN_PROCESS]
