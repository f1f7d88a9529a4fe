"""Catalog and customers: a full listing against the incremental pull that follows it, at production size.

A sandbox with ``--catalog-objects`` catalog objects and ``--customers`` profiles; a full listing of each (as the
first run, or a ``full_pull``), then the clock moves ``--days`` ahead and the asset's incremental pull reads what
changed (from the lake's high-water mark less the overlap). Time and requests (pages) of each, into a local lake.

    .venv/bin/python bench/incremental_reference.py --catalog-objects 50000 --customers 200000 --days 1
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from data_platform.resources.lake import LakeResource
from square_sales.ingestion import incremental
from square_sales.ingestion.client import SquareApi
from square_sales.ingestion.layout import CATALOG, CUSTOMERS
from square_sales.ingestion.pull import pull_changes, pull_snapshot
from tests.support.sandbox import sandbox

START = dt.date(2026, 6, 1)
T0 = dt.datetime(2026, 7, 15, 12, tzinfo=dt.UTC)
FULL_PULL_AFTER = dt.timedelta(days=7)


def _pull(api: SquareApi, lake: LakeResource, entity, full: bool) -> tuple[str, float, int, int]:
    now = dt.datetime.now(dt.UTC)
    since = (
        None
        if full
        else incremental.changes_since(incremental.lake_state(lake, entity), now, False, FULL_PULL_AFTER)
    )
    path = incremental.pull_path(entity, now, changes=since is not None)
    requests_before = api.stats.requests
    started = time.perf_counter()
    if since is None:
        stats = pull_snapshot(api, lake, entity, now, "bench", path=path)
    else:
        stats = pull_changes(api, lake, entity, since, path, "bench")
    kind = "full listing" if since is None else "incremental"
    return kind, time.perf_counter() - started, api.stats.requests - requests_before, stats.rows


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--catalog-objects", type=int, default=50_000)
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--days", type=int, default=1, help="how far the clock moves between the two pulls")
    args = parser.parse_args()
    rows = []
    with (
        tempfile.TemporaryDirectory(prefix="bench-incremental-") as folder,
        sandbox(
            locations=5,
            orders_per_day=20,
            seed=7,
            start_date=START,
            now=T0,
            catalog_objects=args.catalog_objects,
            customers=args.customers,
        ) as chain,
    ):
        lake = LakeResource(root_url=str(Path(folder) / "lake"))
        with SquareApi(chain.base_url, chain.token, timeout_seconds=120) as api:
            for entity in (CATALOG, CUSTOMERS):
                rows.append((entity.name, *_pull(api, lake, entity, full=True)))
            chain.set_clock(T0 + dt.timedelta(days=args.days))
            for entity in (CATALOG, CUSTOMERS):
                rows.append((entity.name, *_pull(api, lake, entity, full=False)))
    print(
        f"catalog {args.catalog_objects:,} objects, customers {args.customers:,}; clock moved {args.days} day(s)"
    )
    print("| object | pull | seconds | requests | rows |\n| --- | --- | ---: | ---: | ---: |")
    for name, kind, seconds, requests, count in rows:
        print(f"| {name} | {kind} | {seconds:.1f} | {requests:,} | {count:,} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
