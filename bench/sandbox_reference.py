"""How the Square sandbox serves a large catalog and customer directory: a full pull vs an incremental one.

    .venv/bin/python bench/sandbox_reference.py [--catalog-objects 50000] [--customers 200000] [--days 1]

Starts ``python -m square_sandbox`` with the long catalog tail and the large directory, then:
- full pull: ListCatalog (every type) and ListCustomers (limit 100), all pages;
- the clock moves ``--days``; incremental pull: SearchCatalogObjects (begin_time = the first pull's
  latest_time, include_deleted_objects, limit 1000) and SearchCustomers (updated_at since the first pull);
- a second full pull, for comparison.
Prints objects, requests, seconds and the server's RSS for each.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from tests.support.processes import free_port, stop, wait_for_port  # noqa: E402
from tests.support.sandbox import request_page  # noqa: E402

ALL_TYPES = "ITEM,ITEM_VARIATION,CATEGORY,TAX,DISCOUNT,MODIFIER_LIST,MODIFIER"


def pull(
    client: httpx.Client, method: str, path: str, key: str, payload: dict
) -> tuple[int, int, float, dict]:
    """(items, requests, seconds, last page) of every page of one listing."""
    items, requests, cursor, started = 0, 0, None, time.perf_counter()
    while True:
        response = request_page(client, method, path, payload, cursor)
        response.raise_for_status()
        body = response.json()
        items += len(body.get(key, []))
        requests += 1
        cursor = body.get("cursor")
        if not cursor:
            return items, requests, time.perf_counter() - started, body


def report(label: str, result: tuple[int, int, float, dict], key: str, rss: float) -> None:
    items, requests, seconds, _ = result
    print(
        f"{label:<32} {items:>8,} {key:<10} {requests:>6,} requests {seconds:>7.1f} s   server RSS {rss:,.0f} MiB"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--catalog-objects", type=int, default=50_000)
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--days", type=int, default=1, help="how far the clock moves between the pulls")
    args = parser.parse_args()
    port, token = free_port(), "bench-token"
    command = [sys.executable, "-m", "square_sandbox", "--port", str(port), "--token", token,
               "--locations", "5", "--start-date", "2026-10-01", "--now", "2026-11-21T12:00:00Z",
               "--catalog-objects", str(args.catalog_objects), "--customers", str(args.customers)]  # fmt: skip
    server = subprocess.Popen(command, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
                              stdout=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    try:
        wait_for_port(port, 120, server)
        base_url = f"http://127.0.0.1:{port}"
        memory = psutil.Process(server.pid)
        with httpx.Client(
            base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=300
        ) as client:
            catalog = pull(client, "GET", "/v2/catalog/list", "objects", {"types": ALL_TYPES})
            report("full catalog (ListCatalog)", catalog, "objects", memory.memory_info().rss / 2**20)
            high_water = client.post("/v2/catalog/search", json={"limit": 1}).json()["latest_time"]
            customers = pull(client, "GET", "/v2/customers", "customers", {"limit": 100})
            report("full customers (ListCustomers)", customers, "customers", memory.memory_info().rss / 2**20)
            since = client.get("/_sandbox/clock").json()["now"]
            clock = httpx.post(
                f"{base_url}/_sandbox/clock", json={"advance_seconds": args.days * 86400}
            ).json()
            print(f"clock moved {args.days} day(s) to {clock['now']}")
            changed = pull(client, "POST", "/v2/catalog/search", "objects", {
                "begin_time": high_water, "include_deleted_objects": True, "limit": 1000,
                "object_types": ALL_TYPES.split(",")})  # fmt: skip
            report("incremental catalog (Search)", changed, "objects", memory.memory_info().rss / 2**20)
            updated = pull(client, "POST", "/v2/customers/search", "customers", {"limit": 100, "query": {
                "filter": {"updated_at": {"start_at": since}}, "sort": {"field": "CREATED_AT"}}})  # fmt: skip
            report("incremental customers (Search)", updated, "customers", memory.memory_info().rss / 2**20)
            report("full catalog again", pull(client, "GET", "/v2/catalog/list", "objects", {"types": ALL_TYPES}),
                   "objects", memory.memory_info().rss / 2**20)  # fmt: skip
            report("full customers again", pull(client, "GET", "/v2/customers", "customers", {"limit": 100}),
                   "customers", memory.memory_info().rss / 2**20)  # fmt: skip
    finally:
        stop(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
