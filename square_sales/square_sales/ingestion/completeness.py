"""Completeness: does the lake hold, for a business day, exactly the orders (and versions) Square holds now?

Square's SearchOrders with ``return_entries`` lists ``(order_id, version, location_id)`` for a day cheaply; the lake
side reads only the ``id`` and ``version`` columns of the partition. The difference is reported as missing (in
Square, not in the lake), extra (in the lake, no longer in Square's day) and stale (the lake holds an older
version). Rows of the lake without an id cannot be matched with Square: they are counted (``lake_without_id``) and
fail the comparison, as does an entry of Square's listing without an ``order_id`` (a clear error).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pyarrow.parquet as pq
from dagster import MetadataValue

from data_platform.resources.lake import LakeResource
from square_sales.ingestion.client import SquareApi, SquareResponseError
from square_sales.ingestion.layout import ORDERS
from square_sales.ingestion.pull import location_batches, orders_query
from square_sales.partitions import business_day_bounds

SAMPLE_IDS = 10  # ids listed in metadata per kind of difference, so a person can look them up


@dataclass(frozen=True)
class CompletenessDiff:
    day: str
    square_count: int
    lake_count: int
    missing: list[str]
    extra: list[str]
    stale: list[str]
    lake_file_exists: bool
    lake_without_id: int = 0

    @property
    def matches(self) -> bool:
        return not (self.missing or self.extra or self.stale or self.lake_without_id)


def square_order_versions(
    api: SquareApi, day: date, timezone: str, location_ids: list[str]
) -> dict[str, int | None]:
    start, end = business_day_bounds(day, timezone)
    # Square's time filter includes its end; stop a millisecond (its timestamp precision) before the next day.
    query = orders_query(start, end - timedelta(milliseconds=1))
    versions: dict[str, int | None] = {}
    for batch in location_batches(location_ids):
        for entries in api.search_orders(batch, query, return_entries=True):
            for entry in entries:
                order_id, version = entry.get("order_id"), entry.get("version")
                if not isinstance(order_id, str) or not order_id:
                    raise SquareResponseError(
                        f"Square POST /v2/orders/search (return_entries) for {day}: an order entry has no order_id "
                        f"({sorted(entry)}); the completeness of {day} cannot be judged."
                    )
                versions[order_id] = version if type(version) is int else None
    return versions


def lake_order_versions(lake: LakeResource, day: date) -> tuple[dict[str, int | None], int] | None:
    """The lake's order ids and versions for ``day`` and how many rows have no id, or None without a file."""
    path = ORDERS.partition_path(day)
    if not lake.exists(path):
        return None
    with lake.filesystem().open(lake.path(path), "rb") as handle:
        table = pq.ParquetFile(handle).read(columns=["id", "version"])
    pairs = zip(table.column("id").to_pylist(), table.column("version").to_pylist(), strict=True)
    versions = {order_id: version for order_id, version in pairs if order_id is not None}
    return versions, table.column("id").null_count


def compare_partition(
    api: SquareApi, lake: LakeResource, day: date, timezone: str, location_ids: list[str]
) -> CompletenessDiff:
    in_square = square_order_versions(api, day, timezone, location_ids)
    in_lake = lake_order_versions(lake, day)
    lake_versions, without_id = in_lake or ({}, 0)
    stale = [
        order_id
        for order_id, version in in_square.items()
        if order_id in lake_versions
        and version is not None
        and (lake_versions[order_id] is None or lake_versions[order_id] < version)
    ]
    return CompletenessDiff(
        day=day.isoformat(),
        square_count=len(in_square),
        lake_count=len(lake_versions) + without_id,
        missing=sorted(set(in_square) - set(lake_versions)),
        extra=sorted(set(lake_versions) - set(in_square)),
        stale=sorted(stale),
        lake_file_exists=in_lake is not None,
        lake_without_id=without_id,
    )


def diff_metadata(diffs: list[CompletenessDiff]) -> dict:
    metadata = {
        "partitions_checked": MetadataValue.int(len(diffs)),
        "square_orders": MetadataValue.int(sum(d.square_count for d in diffs)),
        "lake_orders": MetadataValue.int(sum(d.lake_count for d in diffs)),
        "missing": MetadataValue.int(sum(len(d.missing) for d in diffs)),
        "extra": MetadataValue.int(sum(len(d.extra) for d in diffs)),
        "stale": MetadataValue.int(sum(len(d.stale) for d in diffs)),
        "lake_without_id": MetadataValue.int(sum(d.lake_without_id for d in diffs)),
    }
    differing = [d for d in diffs if not d.matches]
    if differing:
        lines = [
            "| partition | square | lake | missing | extra | stale | lake rows without id |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        lines += [
            f"| {d.day} | {d.square_count} | {d.lake_count} | {len(d.missing)} | {len(d.extra)} | {len(d.stale)} "
            f"| {d.lake_without_id} |"
            for d in differing
        ]
        metadata["differing_partitions"] = MetadataValue.md("\n".join(lines))
        for kind in ("missing", "extra", "stale"):
            sample = [i for d in differing for i in getattr(d, kind)][:SAMPLE_IDS]
            if sample:
                metadata[f"sample_{kind}_ids"] = MetadataValue.text(", ".join(sample))
    return metadata
