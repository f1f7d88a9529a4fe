"""Benchmark: building the dbt marts from the lake (DuckDB), full refresh and an incremental 3-day window.

    .venv/bin/python bench/dbt_build.py --locations 20 --orders-per-day 1500 --days 30 365

For each history length it writes a synthetic raw lake in the CONTRACTS §2 layout (Square-shaped order, payment
and refund JSON generated in DuckDB, so the 365-day lake takes minutes rather than the hours a pull through the
sandbox would), then times, each in a fresh `dbt` process as Dagster runs it:
  - full refresh:  dbt build --full-refresh (every model and test) into an empty warehouse,
  - incremental:   dbt build -s tag:daily_partitioned with the window vars of the last 3 partitions (median of
                   3 runs after a warm-up),
and samples the peak RSS of the dbt process tree. Prints a Markdown table and incremental(365)/incremental(30).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import duckdb
import psutil

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from square_sales.transform.partition_window import dbt_window_for_partitions  # noqa: E402

DBT = str(Path(sys.executable).with_name("dbt"))
PROJECT = REPO_ROOT / "dbt_project"
ZONES = ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Phoenix"]


def write_lake(lake: Path, locations: int, orders_per_day: int, first: dt.date, days: int) -> None:
    """Orders (1-3 line items, tax, discount, tip), one payment each (2% offline, uploaded 1-80 h late) and
    refunds of 1% of sales, by reporting-zone day of created_at, one Parquet file per raw partition."""
    con = duckdb.connect()
    con.execute("set preserve_insertion_order = false")
    last = first + dt.timedelta(days=days - 1)
    con.execute(
        f"""
        create table orders as
        with base as (
            select
                d.day::date as day, l.loc, o.n,
                'L' || lpad(l.loc::varchar, 4, '0') as location_id,
                -- business hours 8:00-21:00 local; local = New York time shifted by the store's zone offset
                (d.day::date + interval 8 hour + to_seconds((hash(d.day, l.loc, o.n) % 46800)::bigint)) as local_time,
                (1 + hash(o.n, l.loc) % 3)::bigint as lines,
                (100 * (1 + hash(d.day, o.n) % 40))::bigint as unit_price
            from range(date '{first}', date '{last}' + interval 1 day, interval 1 day) d(day),
                 range({locations}) l(loc), range({orders_per_day}) o(n)
        ), timed as (
            select *,
                timezone(
                    list_extract({ZONES}, 1 + loc % {len(ZONES)}), local_time
                ) as created_at,
                'O' || location_id || strftime(day, '%Y%m%d') || lpad(n::varchar, 5, '0') as id,
                hash(day, loc, n) % 50 = 0 as offline,
                hash(n, day) % 100 = 0 as refunded
            from base
        )
        select *,
            lines * unit_price as gross,
            case when hash(n) % 5 = 0 then lines * unit_price / 10 else 0 end as discount,
            (lines * unit_price - case when hash(n) % 5 = 0 then lines * unit_price / 10 else 0 end) * 8 / 100 as tax,
            case when hash(n, loc) % 3 = 0 then 150 else 0 end as tip,
            case when offline then created_at + to_hours((1 + hash(n, loc, day) % 80)::bigint) else created_at end as visible_at
        from timed
        """
    )
    con.execute(
        """
        create table order_rows as
        select id, location_id, created_at, visible_at as updated_at, 1::bigint as version, 'COMPLETED' as state,
            json_object(
                'id', id, 'location_id', location_id, 'state', 'COMPLETED', 'version', 1,
                'created_at', strftime(created_at at time zone 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ'),
                'updated_at', strftime(visible_at at time zone 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ'),
                'line_items', [json_object(
                    'uid', 'li' || i, 'name', 'Item ' || (hash(id, i) % 200), 'quantity', '1',
                    'catalog_object_id', 'V' || (hash(id, i) % 200),
                    'base_price_money', json_object('amount', unit_price, 'currency', 'USD'),
                    'gross_sales_money', json_object('amount', unit_price, 'currency', 'USD'),
                    'total_discount_money', json_object('amount', case when i = 1 then discount else 0 end, 'currency', 'USD'),
                    'total_tax_money', json_object('amount', case when i = 1 then tax else 0 end, 'currency', 'USD'),
                    'total_money', json_object('amount', unit_price + case when i = 1 then tax - discount else 0 end, 'currency', 'USD'))
                    for i in range(1, lines + 1)],
                'total_money', json_object('amount', gross - discount + tax + tip, 'currency', 'USD'),
                'total_tax_money', json_object('amount', tax, 'currency', 'USD'),
                'total_discount_money', json_object('amount', discount, 'currency', 'USD'),
                'total_tip_money', json_object('amount', tip, 'currency', 'USD')
            )::varchar as raw_json,
            now() as _ingested_at, 'bench' as _run_id,
            null::timestamptz as closed_at, gross - discount + tax + tip as total_money_amount, 'USD' as currency,
            cast(timezone('America/New_York', created_at) as date) as date
        from orders
        """
    )
    con.execute(
        """
        create table payment_rows as
        select 'P' || id as id, location_id, created_at, visible_at as updated_at, null::bigint as version,
            'COMPLETED' as status,
            json_object(
                'id', 'P' || id, 'order_id', id, 'location_id', location_id, 'status', 'COMPLETED',
                'created_at', strftime(created_at at time zone 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ'),
                'updated_at', strftime(visible_at at time zone 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ'),
                'amount_money', json_object('amount', gross - discount + tax, 'currency', 'USD'),
                'tip_money', json_object('amount', tip, 'currency', 'USD'),
                'total_money', json_object('amount', gross - discount + tax + tip, 'currency', 'USD'),
                'is_offline_payment', offline,
                'offline_payment_details', case when offline then json_object('client_created_at',
                    strftime(created_at at time zone 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ')) end,
                'device_details', json_object('device_id', 'D' || location_id || (hash(n) % 4))
            )::varchar as raw_json,
            now() as _ingested_at, 'bench' as _run_id, id as order_id, offline as is_offline_payment,
            -- Typed columns as the ingestion lands them: integer minor units, as the JSON amounts cast.
            cast(gross - discount + tax as bigint) as amount_money_amount,
            cast(gross - discount + tax + tip as bigint) as total_money_amount,
            cast(timezone('America/New_York', created_at) as date) as date
        from orders
        """
    )
    con.execute(
        """
        create table refund_rows as
        select 'R' || id as id, location_id, created_at + interval 2 day as created_at,
            created_at + interval 2 day as updated_at, null::bigint as version, 'COMPLETED' as status,
            json_object(
                'id', 'R' || id, 'payment_id', 'P' || id, 'location_id', location_id, 'status', 'COMPLETED',
                'created_at', strftime((created_at + interval 2 day) at time zone 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ'),
                'amount_money', json_object('amount', unit_price, 'currency', 'USD')
            )::varchar as raw_json,
            now() as _ingested_at, 'bench' as _run_id, 'P' || id as payment_id, id as order_id,
            unit_price as amount_money_amount,
            cast(timezone('America/New_York', created_at + interval 2 day) as date) as date
        from orders where refunded
        """
    )
    for entity, table in [("orders", "order_rows"), ("payments", "payment_rows"), ("refunds", "refund_rows")]:
        target = lake / "raw" / "square" / entity
        target.mkdir(parents=True, exist_ok=True)
        con.execute(
            f"copy {table} to '{target}' (format parquet, compression zstd, partition_by (date), overwrite_or_ignore)"
        )
    snapshot = "snapshot_at=20270101T000000Z"
    for entity, rows in [
        (
            "locations",
            f"""select location_id as id, location_id, now() as created_at, now() as updated_at,
                json_object('id', location_id, 'name', 'Store ' || location_id, 'currency', 'USD', 'status', 'ACTIVE',
                    'timezone', list_extract({ZONES}, 1 + l % {len(ZONES)}))::varchar as raw_json,
                now() as _ingested_at from (select distinct location_id, loc as l from orders)""",
        ),
        (
            "catalog",
            """select 'V' || n as id, null as location_id, now() as updated_at, 1::bigint as version,
                'ITEM_VARIATION' as type, false as is_deleted,
                json_object('id', 'V' || n, 'type', 'ITEM_VARIATION', 'item_variation_data',
                    json_object('item_id', 'I' || n, 'name', 'Regular'))::varchar as raw_json,
                now() as _ingested_at from range(200) t(n)""",
        ),
        (
            "customers",
            """select 'C' || n as id, null as location_id, now() as created_at, now() as updated_at,
                1::bigint as version, json_object('id', 'C' || n, 'given_name', 'Customer ' || n)::varchar as raw_json,
                now() as _ingested_at from range(1000) t(n)""",
        ),
    ]:
        target = lake / "raw" / "square" / entity / snapshot
        target.mkdir(parents=True, exist_ok=True)
        con.execute(f"copy ({rows}) to '{target / 'part-000.parquet'}' (format parquet)")
    con.close()


def run_dbt(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Seconds and peak RSS (MiB, dbt process tree) of one dbt invocation."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [DBT, *args], cwd=PROJECT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        root = psutil.Process(process.pid)
        while not done.is_set():
            try:
                rss = root.memory_info().rss + sum(c.memory_info().rss for c in root.children(recursive=True))
                peak = max(peak, rss)
            except psutil.Error:
                pass
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = process.communicate()
    done.set()
    sampler.join()
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise RuntimeError(f"dbt {' '.join(args)} failed:\n{output.decode()[-4000:]}")
    return seconds, peak / 2**20


def bench(days: int, locations: int, orders_per_day: int, workdir: Path) -> dict:
    first = dt.date(2026, 1, 1)
    lake, warehouse = workdir / f"lake-{days}", workdir / f"warehouse-{days}.duckdb"
    started = time.perf_counter()
    write_lake(lake, locations, orders_per_day, first, days)
    generate_seconds = time.perf_counter() - started
    lake_bytes = sum(f.stat().st_size for f in lake.rglob("*.parquet"))
    env = {
        **os.environ,
        "LAKE_ROOT_URL": str(lake),
        "DUCKDB_PATH": str(warehouse),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_TARGET_PATH": str(workdir / f"target-{days}"),
    }
    common = ["--profiles-dir", str(PROJECT), "--target", "local", "--quiet"]
    full_seconds, full_rss = run_dbt(["build", "--full-refresh", *common], env)
    last = first + dt.timedelta(days=days - 1)
    window = dbt_window_for_partitions(last - dt.timedelta(days=2), last + dt.timedelta(days=1))
    incremental = [
        "build",
        "-s",
        "tag:daily_partitioned",
        "--vars",
        json.dumps(window.as_dbt_vars()),
        *common,
    ]
    run_dbt(incremental, env)  # warm-up: the first run after new vars re-parses the project
    # The median of 3 runs: a 3-day run takes seconds, so one sample is at the mercy of the shared cores.
    samples = sorted(run_dbt(incremental, env) for _ in range(3))
    incremental_seconds, incremental_rss = samples[1][0], max(rss for _, rss in samples)
    orders = (
        duckdb.connect(str(warehouse), read_only=True)
        .execute("select count(*) from marts.fct_orders")
        .fetchone()[0]
    )
    return {
        "days": days,
        "orders": orders,
        "lake_mib": lake_bytes / 2**20,
        "generate_s": generate_seconds,
        "full_s": full_seconds,
        "full_rss_mib": full_rss,
        "incremental_s": incremental_seconds,
        "incremental_rss_mib": incremental_rss,
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--locations", type=int, default=20)
    parser.add_argument("--orders-per-day", type=int, default=1500)
    parser.add_argument("--days", type=int, nargs="+", default=[30, 365])
    parser.add_argument("--keep", action="store_true", help="keep the generated lakes and warehouses")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-dbt-"))
    try:
        results = []
        for days in args.days:
            result = bench(days, args.locations, args.orders_per_day, workdir)
            results.append(result)
            print(
                json.dumps({k: round(v, 2) if isinstance(v, float) else v for k, v in result.items()}),
                flush=True,
            )
        print(
            f"\n{args.locations} locations x {args.orders_per_day} orders/day, dbt build (models + tests), 2 threads\n"
        )
        print(
            "| days | orders | lake (MiB) | full refresh (s) | peak RSS (MiB) | incremental 3 days (s) | peak RSS (MiB) |"
        )
        print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for r in results:
            print(
                f"| {r['days']} | {r['orders']:,} | {r['lake_mib']:.0f} | {r['full_s']:.1f} | {r['full_rss_mib']:.0f} "
                f"| {r['incremental_s']:.1f} | {r['incremental_rss_mib']:.0f} |"
            )
        if len(results) >= 2:
            ratio = results[-1]["incremental_s"] / results[0]["incremental_s"]
            print(
                f"\nincremental({results[-1]['days']}) / incremental({results[0]['days']}) = {ratio:.2f} (target <= 1.3)"
            )
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
