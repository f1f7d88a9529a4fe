"""Ingestion throughput against the Square sandbox, next to a bare paging client in the same run; peak RSS.

    .venv/bin/python bench/ingest_throughput.py                       # 20 locations x 1,500 orders/day x 30 days
    .venv/bin/python bench/ingest_throughput.py --days 5 --rss-multiplier 10

Throughput: orders/s for the same days, (a) a bare client (httpx, SearchOrders pages parsed only to follow the
cursor, nothing kept), (b) the ingestion (``pull_day``: SDK transport, retries, Arrow, Parquet, a local lake). Day
by day, a first bare pass warms the sandbox (it builds each day on first use); then the ingestion and the bare client
each pull the warm day, alternating which goes first.
Peak RSS: a fresh process ingests one day at 1x and at Nx orders/day; flat memory means the two are close.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import orjson

# Progress lines appear as they are measured, also when the output goes to a file.
print = functools.partial(print, flush=True)

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

TIMEZONE = "America/New_York"
TOKEN = "bench-token"
NOW = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)


def start_sandbox(locations: int, orders_per_day: int, start_date: dt.date) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "square_sandbox",
            "--port",
            "0",
            "--seed",
            "42",
            "--locations",
            str(locations),
            "--orders-per-day",
            str(orders_per_day),
            "--start-date",
            start_date.isoformat(),
            "--now",
            NOW.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "--offline-share",
            "0.02",
            "--token",
            TOKEN,
        ],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    line = process.stdout.readline()
    match = re.search(r"http://[0-9.]+:\d+", line)
    if not match:
        process.kill()
        raise RuntimeError(f"sandbox did not start: {line!r}")
    return process, match.group(0)


def days_to_pull(count: int) -> list[dt.date]:
    last = NOW.date() - dt.timedelta(days=1)
    return [last - dt.timedelta(days=i) for i in range(count)][::-1]


def bare_client(base_url: str, location_ids: list[str], days: list[dt.date]) -> tuple[int, float]:
    """Plain HTTP pages: POST SearchOrders, parse the page to follow the cursor, keep nothing."""
    from square_sales.ingestion.pull import orders_query
    from square_sales.partitions import business_day_bounds

    orders = 0
    started = time.perf_counter()
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60) as http:
        for day in days:
            start, end = business_day_bounds(day, TIMEZONE)
            for i in range(0, len(location_ids), 10):
                body = {
                    "location_ids": location_ids[i : i + 10],
                    "query": orders_query(start, end),
                    "limit": 1000,
                }
                while True:
                    page = orjson.loads(http.post("/v2/orders/search", content=orjson.dumps(body)).content)
                    orders += len(page.get("orders", []))
                    if not page.get("cursor"):
                        break
                    body["cursor"] = page["cursor"]
    return orders, time.perf_counter() - started


def ingest(base_url: str, lake_root: str, days: list[dt.date]) -> tuple[int, float, int]:
    from data_platform.resources.lake import LakeResource
    from square_sales.ingestion.client import SquareApi
    from square_sales.ingestion.layout import ORDERS
    from square_sales.ingestion.pull import pull_day

    lake = LakeResource(root_url=lake_root)
    rows = written = 0
    started = time.perf_counter()
    with SquareApi(base_url, TOKEN) as api:
        location_ids = [location["id"] for location in api.list_locations()]
        for day in days:
            stats = pull_day(api, lake, ORDERS, day, TIMEZONE, location_ids, run_id="bench")
            rows += stats.rows
            written += stats.bytes_written
    return rows, time.perf_counter() - started, written


def rss_child(base_url: str, day: str) -> None:
    """Runs in a fresh process: ingest one day of orders, print the peak RSS in MiB (and the RSS after imports)."""
    import psutil

    import square_sales.ingestion.pull  # noqa: F401 - load everything the pull loads before the baseline

    baseline_mib = psutil.Process().memory_info().rss / 2**20
    with tempfile.TemporaryDirectory() as folder:
        rows, seconds, _ = ingest(base_url, folder, [dt.date.fromisoformat(day)])
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps({"rows": rows, "seconds": seconds, "peak_rss_mib": peak_mib, "baseline_mib": baseline_mib})
    )


def measure_rss(locations: int, orders_per_day: int) -> dict:
    day = days_to_pull(1)[0]
    process, base_url = start_sandbox(locations, orders_per_day, day - dt.timedelta(days=2))
    try:
        output = subprocess.run(
            [sys.executable, __file__, "--rss-child", base_url, day.isoformat()],
            capture_output=True,
            text=True,
            check=True,
            cwd=REPO_ROOT,
        ).stdout
    finally:
        process.terminate()
        process.wait()
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--locations", type=int, default=20)
    parser.add_argument("--orders-per-day", type=int, default=1500)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--rss-multiplier", type=int, default=10)
    parser.add_argument("--skip-rss", action="store_true")
    parser.add_argument("--rss-child", nargs=2, metavar=("BASE_URL", "DAY"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rss_child:
        rss_child(*args.rss_child)
        return

    days = days_to_pull(args.days)
    process, base_url = start_sandbox(args.locations, args.orders_per_day, days[0] - dt.timedelta(days=2))
    try:
        location_ids = [
            loc["id"]
            for loc in httpx.get(
                f"{base_url}/v2/locations", headers={"Authorization": f"Bearer {TOKEN}"}
            ).json()["locations"]
        ]
        # Day by day: a first bare pass warms the sandbox (it builds a day on first use), then the bare client
        # and the ingestion each pull the warm day, taking turns at going first, so that the load of a shared
        # machine drifting over minutes favours neither.
        cold_seconds = bare_seconds = seconds = 0.0
        rows = written = 0
        with tempfile.TemporaryDirectory() as folder:
            for index, day in enumerate(days):
                cold_seconds += bare_client(base_url, location_ids, [day])[1]
                for turn in (0, 1) if index % 2 == 0 else (1, 0):
                    if turn == 0:
                        bare_orders, elapsed = bare_client(base_url, location_ids, [day])
                        bare_seconds += elapsed
                    else:
                        day_rows, elapsed, day_bytes = ingest(base_url, folder, [day])
                        seconds += elapsed
                        rows += day_rows
                        written += day_bytes
                assert bare_orders == day_rows, (day, bare_orders, day_rows)
    finally:
        process.terminate()
        process.wait()
    bare = (rows, bare_seconds)
    cold = (rows, cold_seconds)
    bare_rate = rows / bare[1]
    ingest_rate = rows / seconds
    print(
        f"chain: {args.locations} locations x {args.orders_per_day} orders/day x {args.days} days "
        f"= {rows:,} orders (incl. return orders) on {os.cpu_count()} cores"
    )
    print(
        f"bare paging client : {bare_rate:10,.0f} orders/s ({bare[1]:.1f}s; cold first pass {cold[1]:.1f}s)"
    )
    print(
        f"ingestion          : {ingest_rate:10,.0f} orders/s ({seconds:.1f}s, {written / 2**20:.1f} MiB Parquet)"
    )
    print(f"ratio              : {ingest_rate / bare_rate:10.2f} (target >= 0.8)")
    if not args.skip_rss:
        for multiplier in (1, args.rss_multiplier):
            result = measure_rss(args.locations, args.orders_per_day * multiplier)
            print(
                f"peak RSS, one day at {multiplier:>2}x ({result['rows']:,} orders): "
                f"{result['peak_rss_mib']:.0f} MiB (after imports, before pulling: {result['baseline_mib']:.0f} MiB; "
                f"{result['rows'] / result['seconds']:,.0f} orders/s)"
            )


if __name__ == "__main__":
    main()
