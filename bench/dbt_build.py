"""Benchmark: rebuilding the warehouse from the lake in bounded memory, and publishing the gold layer.

    .venv/bin/python bench/dbt_build.py --locations 20 --orders-per-day 1500 --days 30 90 365

For each history length it writes a synthetic raw lake in the ingestion's layout (ingestion/layout.py; Square-shaped order, payment and
refund JSON generated in DuckDB, so the 365-day lake takes minutes rather than the hours a pull through the
sandbox would; `--lakes DIR` keeps and reuses them), then measures, each in a fresh process as Dagster runs it:
  - full rebuild:  dbt build --full-refresh (every model and test) into an empty warehouse,
  - incremental:   dbt build -s tag:daily_partitioned with the window vars of the last 3 partitions (median of
                   3 runs after a warm-up),
  - publish:       the gold tables materialized through Dagster into a local lake: whole (a first publish, as
                   after a rebuild), then the last 3 partitions (median of 3),
sampling the peak RSS of the process tree. DuckDB runs with DUCKDB_MEMORY_LIMIT (`--memory-limit`, default the
platform's) and spills to a folder next to the warehouse. Prints a Markdown table and the ratios the goals are
stated in (bench/README.md).
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

from data_platform.settings import DUCKDB_MEMORY_LIMIT_DEFAULT  # noqa: E402
from square_sales.transform.partition_window import dbt_window_for_partitions  # noqa: E402

DBT = str(Path(sys.executable).with_name("dbt"))
PROJECT = REPO_ROOT / "dbt_project"
FIRST_DAY = dt.date(2026, 1, 1)
LAST_POSSIBLE_DAY = "2028-01-01"  # the partitions' end, beyond any history benchmarked
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
    _write_empty_raw_tables(lake, first, snapshot)


def _write_empty_raw_tables(lake: Path, first: dt.date, snapshot: str) -> None:
    """The raw tables this benchmark does not generate (inventory, labour, cash drawers, payouts, gift cards,
    loyalty, ...), each one empty partition in its own schema: the models read every raw table, and the
    benchmark measures the sales models, which hold nearly all the rows."""
    import pyarrow.parquet as pq

    from square_sales.ingestion.layout import ENTITIES

    for name, entity in ENTITIES.items():
        folder = lake / "raw" / "square" / name
        if folder.exists():
            continue
        partition = f"date={first.isoformat()}" if entity.partitioned else snapshot
        (folder / partition).mkdir(parents=True)
        pq.write_table(entity.schema.empty_table(), folder / partition / "part-000.parquet")


def run_measured(command: list[str], env: dict[str, str], cwd: Path = PROJECT) -> tuple[float, float]:
    """Seconds and peak RSS (MiB, the process and its children) of one command, which must succeed."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
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
        raise RuntimeError(f"{' '.join(command[:3])} failed:\n{output.decode()[-4000:]}")
    return seconds, peak / 2**20


def median_of_three(measure) -> tuple[float, float]:
    """Median time and highest peak of 3 runs after a warm-up: a run of seconds is at the mercy of the cores."""
    measure()  # warm-up (the first dbt run after new vars re-parses the project)
    samples = sorted(measure() for _ in range(3))
    return samples[1][0], max(rss for _, rss in samples)


def publish_child(warehouse: str, lake: str, first: str, last: str, whole: str) -> None:
    """In a fresh process: materialize the gold tables through Dagster, as a run of the code location does."""
    from dagster import DagsterInstance, DailyPartitionsDefinition, materialize

    from data_platform.partition_ranges import partition_range_tags
    from data_platform.resources import LakeResource, WarehouseResource
    from square_sales.gold.assets import GOLD_DAILY_TABLES, GOLD_REFERENCE_TABLES, build_gold_assets

    partitions = DailyPartitionsDefinition(start_date=FIRST_DAY.isoformat(), end_date=LAST_POSSIBLE_DAY)
    lake_resource = LakeResource(root_url=lake)
    resource = WarehouseResource(
        database_path=warehouse, lake=lake_resource, memory_limit=os.environ["DUCKDB_MEMORY_LIMIT"]
    )
    config = {"config": {"full_refresh": whole == "whole"}}
    result = materialize(
        build_gold_assets(partitions),
        resources={"warehouse": resource},
        instance=DagsterInstance.ephemeral(),
        tags=partition_range_tags(first, last),
        run_config={"ops": {GOLD_DAILY_TABLES: config, GOLD_REFERENCE_TABLES: config}},
        raise_on_error=True,
    )
    assert result.success


def bench(
    days: int, locations: int, orders_per_day: int, lakes: Path, workdir: Path, memory_limit: str
) -> dict:
    lake = lakes / f"lake-{locations}x{orders_per_day}-{days}d"
    warehouse, gold_lake = workdir / f"warehouse-{days}.duckdb", workdir / f"gold-{days}"
    started = time.perf_counter()
    if not lake.exists():
        write_lake(lake, locations, orders_per_day, FIRST_DAY, days)
    generate_seconds = time.perf_counter() - started
    env = {
        **os.environ,
        "LAKE_ROOT_URL": str(lake),
        "DUCKDB_PATH": str(warehouse),
        "DUCKDB_MEMORY_LIMIT": memory_limit,
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_TARGET_PATH": str(workdir / f"target-{days}"),
    }
    common = ["--profiles-dir", str(PROJECT), "--target", "local", "--quiet"]
    full = run_measured([DBT, "build", "--full-refresh", *common], env)
    last = FIRST_DAY + dt.timedelta(days=days - 1)
    window = dbt_window_for_partitions(last - dt.timedelta(days=2), last + dt.timedelta(days=1))
    incremental_args = ["build", "-s", "tag:daily_partitioned", "--vars", json.dumps(window.as_dbt_vars())]
    incremental = median_of_three(lambda: run_measured([DBT, *incremental_args, *common], env))

    def publish(first: dt.date, whole: bool) -> tuple[float, float]:
        args = [
            str(warehouse),
            str(gold_lake),
            first.isoformat(),
            last.isoformat(),
            "whole" if whole else "window",
        ]
        return run_measured([sys.executable, __file__, "--publish-child", *args], env, cwd=REPO_ROOT)

    publish_whole = publish(FIRST_DAY, whole=True)
    publish_window = median_of_three(lambda: publish(last - dt.timedelta(days=2), whole=False))
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        orders = connection.execute("select count(*) from marts.fct_orders").fetchall()[0][0]
    return {
        "days": days,
        "orders": orders,
        "lake_mib": sum(f.stat().st_size for f in lake.rglob("*.parquet")) / 2**20,
        "generate_s": generate_seconds,
        "full_s": full[0],
        "full_rss_mib": full[1],
        "incremental_s": incremental[0],
        "incremental_rss_mib": incremental[1],
        "publish_whole_s": publish_whole[0],
        "publish_whole_rss_mib": publish_whole[1],
        "publish_window_s": publish_window[0],
        "publish_window_rss_mib": publish_window[1],
    }


def report(results: list[dict], args: argparse.Namespace) -> None:
    print(
        f"\n{args.locations} locations x {args.orders_per_day} orders/day, DUCKDB_MEMORY_LIMIT={args.memory_limit}, "
        f"load average before/after: {args.load_before} / {os.getloadavg()[0]:.1f}\n"
    )
    print(
        "| days | orders | lake (MiB) | full rebuild (s) | peak RSS (MiB) | incremental 3 days (s) | peak RSS (MiB) "
        "| publish whole (s) | peak RSS (MiB) | publish 3 days (s) | peak RSS (MiB) |"
    )
    print("| ---: " * 11 + "|")
    for r in results:
        print(
            f"| {r['days']} | {r['orders']:,} | {r['lake_mib']:.0f} | {r['full_s']:.1f} | {r['full_rss_mib']:.0f} "
            f"| {r['incremental_s']:.1f} | {r['incremental_rss_mib']:.0f} | {r['publish_whole_s']:.1f} "
            f"| {r['publish_whole_rss_mib']:.0f} | {r['publish_window_s']:.1f} | {r['publish_window_rss_mib']:.0f} |"
        )
    by_days = {r["days"]: r for r in results}
    shortest, longest = by_days[min(by_days)], by_days[max(by_days)]
    print(
        f"\nfull-rebuild peak RSS {longest['days']} / {shortest['days']} days = "
        f"{longest['full_rss_mib'] / shortest['full_rss_mib']:.2f} (goal <= 1.3; and <= 4096 MiB: "
        f"{longest['full_rss_mib']:.0f})"
    )
    if 90 in by_days and 365 in by_days:
        print(
            f"full-rebuild time 365 / 90 days = {by_days[365]['full_s'] / by_days[90]['full_s']:.2f} (goal <= 4)"
        )
    print(
        f"incremental time {longest['days']} / {shortest['days']} days = "
        f"{longest['incremental_s'] / shortest['incremental_s']:.2f} (goal <= 1.3)"
    )


def main() -> int:
    if sys.argv[1:2] == ["--publish-child"]:
        publish_child(*sys.argv[2:7])
        return 0
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--locations", type=int, default=20)
    parser.add_argument("--orders-per-day", type=int, default=1500)
    parser.add_argument("--days", type=int, nargs="+", default=[30, 90, 365])
    parser.add_argument("--memory-limit", default=DUCKDB_MEMORY_LIMIT_DEFAULT, help="DUCKDB_MEMORY_LIMIT")
    parser.add_argument("--lakes", type=Path, help="keep the generated lakes here and reuse them")
    parser.add_argument("--keep", action="store_true", help="keep the warehouses and gold lakes")
    args = parser.parse_args()
    args.load_before = f"{os.getloadavg()[0]:.1f}"
    workdir = Path(tempfile.mkdtemp(prefix="bench-dbt-"))
    lakes = args.lakes or workdir
    try:
        results = []
        for days in args.days:
            result = bench(days, args.locations, args.orders_per_day, lakes, workdir, args.memory_limit)
            results.append(result)
            print(
                json.dumps({k: round(v, 2) if isinstance(v, float) else v for k, v in result.items()}),
                flush=True,
            )
        report(results, args)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
