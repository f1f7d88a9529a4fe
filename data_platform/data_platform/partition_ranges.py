"""Runs over a range of partitions: the run tags Dagster reads to execute a partition range in one run.

Assets with ``BackfillPolicy.single_run()`` materialize a whole range in one run when the run carries these two
tags (Dagster's documented single-run backfill tags, the ones ``dagster asset materialize --partition-range``
sets). Dagster exports no public constant for them, so they are written down here, once.
"""

from __future__ import annotations

from collections.abc import Mapping

PARTITION_TAG = "dagster/partition"
PARTITION_RANGE_START_TAG = "dagster/asset_partition_range_start"
PARTITION_RANGE_END_TAG = "dagster/asset_partition_range_end"


def partition_range_tags(first: str, last: str) -> dict[str, str]:
    """Tags of one run over the partitions first..last (inclusive)."""
    return {PARTITION_RANGE_START_TAG: first, PARTITION_RANGE_END_TAG: last}


def partition_range_of(tags: Mapping[str, str]) -> tuple[str, str] | None:
    """(first, last) partition of a run from its tags: one partition, a range, or None (unpartitioned)."""
    if PARTITION_TAG in tags:
        return tags[PARTITION_TAG], tags[PARTITION_TAG]
    if PARTITION_RANGE_START_TAG in tags and PARTITION_RANGE_END_TAG in tags:
        return tags[PARTITION_RANGE_START_TAG], tags[PARTITION_RANGE_END_TAG]
    return None
