"""One command to rebuild the warehouse from the lake without calling Square:

    .venv/bin/python -m square_sales.transform.rebuild_warehouse

It runs the `rebuild_warehouse` job (dbt build --full-refresh) in one run over the days the lake holds (its first to
its last raw partition), recorded in the Dagster instance ($DAGSTER_HOME), so those partitions of the marts show as
materialized. The run executes in this process: it waits for a warehouse writer still in progress, and is marked
failed if this process is killed (``data_platform.in_process``). A raw partition missing inside that range stops the
run before dbt starts (``transform/raw_inputs.py``).
"""

from __future__ import annotations

import sys

from dagster import DagsterInstance

from data_platform.environment import ConfigError
from data_platform.partition_ranges import partition_range_tags


def lake_partition_range(partition_keys: list[str], days_in_lake: set[str]) -> tuple[str, str]:
    """The first and last daily partitions that the lake holds raw orders for."""
    held = [key for key in partition_keys if key in days_in_lake]
    if not held:
        raise ConfigError(
            "The lake holds no raw orders within the daily partitions: pull some days first (or check "
            "LAKE_ROOT_URL and SQUARE_PARTITIONS_START_DATE)."
        )
    return held[0], held[-1]


def main() -> int:
    from data_platform.in_process import execute_job_in_process
    from square_sales.definitions import defs
    from square_sales.ingestion.layout import ORDERS
    from square_sales.partitions import daily_partitions
    from square_sales.transform.automation import FULL_REFRESH_RUN_CONFIG, REBUILD_WAREHOUSE_JOB

    definitions = defs()
    job = definitions.resolve_job_def(REBUILD_WAREHOUSE_JOB)
    lake = definitions.resources["lake"].process_config_and_initialize()  # resolves the EnvVar secrets
    days = {path.split("date=", 1)[1][:10] for path in lake.find(ORDERS.folder, suffix=".parquet")}
    first, last = lake_partition_range(daily_partitions().get_partition_keys(), days)
    print(f"Rebuilding the warehouse from the lake for {first}..{last} ...", flush=True)
    with DagsterInstance.get() as instance:
        result = execute_job_in_process(
            job,
            instance,
            run_config=FULL_REFRESH_RUN_CONFIG,
            tags=partition_range_tags(first, last),
            raise_on_error=False,
        )
    print(f"Run {result.run_id}: {'succeeded' if result.success else 'FAILED'}", flush=True)
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main())
