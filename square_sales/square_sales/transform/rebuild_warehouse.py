"""One command to rebuild the warehouse from the lake without calling Square:

    .venv/bin/python -m square_sales.transform.rebuild_warehouse

It runs the `rebuild_warehouse` job (dbt build --full-refresh) over the whole daily partition range in one run,
recorded in the Dagster instance ($DAGSTER_HOME), so every partition of the marts shows as materialized.
"""

from __future__ import annotations

import sys

from dagster import DagsterInstance

from data_platform.partition_ranges import (
    PARTITION_RANGE_END_TAG,
    PARTITION_RANGE_START_TAG,
    partition_range_tags,
)


def full_range_tags(partition_keys: list[str]) -> dict[str, str]:
    if not partition_keys:
        raise ValueError("The daily partitions are empty: check SQUARE_PARTITIONS_START_DATE.")
    return partition_range_tags(partition_keys[0], partition_keys[-1])


def main() -> int:
    from square_sales.definitions import defs
    from square_sales.partitions import daily_partitions
    from square_sales.transform.automation import FULL_REFRESH_RUN_CONFIG, REBUILD_WAREHOUSE_JOB

    job = defs().resolve_job_def(REBUILD_WAREHOUSE_JOB)
    tags = full_range_tags(daily_partitions().get_partition_keys())
    print(
        f"Rebuilding the warehouse from the lake for {tags[PARTITION_RANGE_START_TAG]}.."
        f"{tags[PARTITION_RANGE_END_TAG]} ..."
    )
    with DagsterInstance.get() as instance:
        result = job.execute_in_process(
            run_config=FULL_REFRESH_RUN_CONFIG, instance=instance, tags=tags, raise_on_error=False
        )
    print(f"Run {result.run_id}: {'succeeded' if result.success else 'FAILED'}")
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main())
