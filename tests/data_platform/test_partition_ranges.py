"""The partition-range run tags written down in data_platform are the ones Dagster reads."""

from __future__ import annotations

from data_platform.partition_ranges import (
    PARTITION_RANGE_END_TAG,
    PARTITION_RANGE_START_TAG,
    PARTITION_TAG,
    partition_range_of,
    partition_range_tags,
)


def test_tags_match_dagsters_own_constants():
    # Dagster has no public export of these names; this guard fails if a Dagster upgrade renames them.
    from dagster._core.storage import tags

    assert PARTITION_TAG == tags.PARTITION_NAME_TAG
    assert PARTITION_RANGE_START_TAG == tags.ASSET_PARTITION_RANGE_START_TAG
    assert PARTITION_RANGE_END_TAG == tags.ASSET_PARTITION_RANGE_END_TAG


def test_a_run_names_one_partition_a_range_or_none():
    assert partition_range_of(partition_range_tags("2026-03-03", "2026-03-10")) == (
        "2026-03-03",
        "2026-03-10",
    )
    assert partition_range_of({PARTITION_TAG: "2026-03-03"}) == ("2026-03-03", "2026-03-03")
    assert partition_range_of({"other": "tag"}) is None
