"""How fast the Square sandbox serves SearchOrders pages (orders/s), measured with a plain HTTP client.

    .venv/bin/python bench/sandbox_serving.py [--locations 20] [--orders-per-day 1500] [--days 3] [--clients 1]

Starts ``python -m square_sandbox`` as a subprocess, then pages through whole local days for batches of
10 locations (limit 1000, created_at ascending) — the ingestion's access pattern. The first pass includes lazy
generation ("cold"); the third pass hits the bounded cache ("warm"). Target: >= 20,000 orders/s.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import orjson
import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from tests.support.processes import free_port, stop, wait_for_port  # noqa: E402


def page_through(base_url: str, token: str, location_ids: list[str], day: dt.date) -> tuple[int, float]:
    """Orders read, and seconds spent waiting for the server (request sent .. last byte received)."""
    query = {
        "filter": {"date_time_filter": {"created_at": {"start_at": f"{day}T00:00:00Z",
                                                       "end_at": f"{day + dt.timedelta(days=1)}T00:00:00Z"}}},
        "sort": {"sort_field": "CREATED_AT", "sort_order": "ASC"},
    }  # fmt: skip
    count, cursor, waited = 0, None, 0.0
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=900) as client:
        while True:
            body = {"location_ids": location_ids, "limit": 1000, "query": query}
            if cursor:
                body["cursor"] = cursor
            sent = time.perf_counter()
            response = client.post("/v2/orders/search", json=body)
            waited += time.perf_counter() - sent
            response.raise_for_status()
            page = orjson.loads(response.content)  # the client decodes fast, so the server is measured
            count += len(page.get("orders", []))
            cursor = page.get("cursor")
            if not cursor:
                return count, waited


def run_pass(
    base_url: str, token: str, jobs: list[tuple[list[str], dt.date]], clients: int
) -> tuple[int, float, float]:
    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(lambda job: page_through(base_url, token, *job), jobs))
    return sum(r[0] for r in results), time.perf_counter() - started, sum(r[1] for r in results)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--locations", type=int, default=20)
    parser.add_argument("--orders-per-day", type=int, default=1500)
    parser.add_argument("--days", type=int, default=3)
    parser.add_argument("--clients", type=int, default=1)
    parser.add_argument("--day-cache", type=int, default=96, help="the server's --day-cache")
    parser.add_argument("--cache-mb", type=int, help="the server's --cache-mb (default: the server's)")
    args = parser.parse_args()
    port, token = free_port(), "bench-token"
    command = [sys.executable, "-m", "square_sandbox", "--port", str(port), "--token", token,
               "--locations", str(args.locations), "--orders-per-day", str(args.orders_per_day),
               "--start-date", "2026-10-01", "--now", "2026-11-21T12:00:00Z", "--day-cache", str(args.day_cache)]  # fmt: skip
    if args.cache_mb:
        command += ["--cache-mb", str(args.cache_mb)]
    server = subprocess.Popen(command, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
                              stdout=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    try:
        wait_for_port(port, 60, server)
        base_url = f"http://127.0.0.1:{port}"
        locations = httpx.get(f"{base_url}/v2/locations", headers={"Authorization": f"Bearer {token}"}).json()
        ids = [location["id"] for location in locations["locations"]]
        batches = [ids[i : i + 10] for i in range(0, len(ids), 10)]
        days = [dt.date(2026, 11, 2) + dt.timedelta(days=n) for n in range(args.days)]
        for day in days:
            jobs = [(batch, day) for batch in batches]
            cold_orders, cold_seconds, _ = run_pass(base_url, token, jobs, args.clients)
            run_pass(
                base_url, token, jobs, args.clients
            )  # fills the cache evicted by the other batches' history
            warm_orders, warm_seconds, server_seconds = run_pass(base_url, token, jobs, args.clients)
            assert cold_orders == warm_orders
            rss = psutil.Process(server.pid).memory_info().rss / 2**20
            print(f"{day}: {warm_orders} orders  cold {cold_orders / cold_seconds:,.0f} orders/s"
                  f"  warm {warm_orders / warm_seconds:,.0f} orders/s end-to-end,"
                  f" {warm_orders / server_seconds:,.0f} orders/s of server response time"
                  f"  server RSS {rss:,.0f} MiB")  # fmt: skip
    finally:
        stop(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
