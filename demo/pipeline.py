"""The demo's pipeline steps: the code location's own jobs, run in-process against the shared Dagster instance.

Running them through Dagster (not by calling functions) is the point: every run, materialization and check result
lands in the instance the UI reads.
"""

from __future__ import annotations

import functools
import subprocess
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from dagster import AssetCheckSeverity, DagsterEventType, DagsterInstance

from data_platform.in_process import execute_job_in_process
from data_platform.partition_ranges import partition_range_tags

Say = Callable[[str], None]
QUIET_LOGS = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


@functools.cache
def _square_sales():
    """The square_sales location's definitions, built once for the demo's runs."""
    from square_sales.definitions import defs

    return defs()


def _run(job_name: str, description: str, say: Say, partition_range: tuple[date, date] | None = None) -> None:
    job = _square_sales().resolve_job_def(job_name)
    tags = {"demo": "true"}
    if partition_range:
        tags |= partition_range_tags(partition_range[0].isoformat(), partition_range[1].isoformat())
    say(f"    {description} ...")
    started = time.monotonic()
    # In this process, yet never left STARTED if the demo is killed (the watchdog of execute_job_in_process).
    result = execute_job_in_process(
        job, DagsterInstance.get(), tags=tags, run_config=QUIET_LOGS, raise_on_error=False, say=say
    )
    events = result.all_events
    materialized = sum(1 for e in events if e.event_type == DagsterEventType.ASSET_MATERIALIZATION)
    checks = [
        e.event_specific_data for e in events if e.event_type == DagsterEventType.ASSET_CHECK_EVALUATION
    ]
    failed_checks = [c for c in checks if not c.passed]
    status = "ok" if result.success else "FAILED"
    say(
        f"    {status} in {time.monotonic() - started:.0f}s: {materialized} materializations, "
        f"{len(checks) - len(failed_checks)}/{len(checks)} checks passed (run {result.run_id[:8]})"
    )
    for check in failed_checks[:5]:
        # A WARN check that fires is information (e.g. a store whose registers went offline), not a failure.
        verdict = "warns" if check.severity == AssetCheckSeverity.WARN else "FAILED"
        say(
            f"      check {verdict}: {check.asset_key.to_user_string()} / {check.check_name} ({check.description})"
        )
    if not result.success:
        raise SystemExit(f"{job_name} failed; open the run {result.run_id} in the UI or see the logs above")


def materialize_recent_history(first_day: date, last_day: date, say: Say) -> None:
    _run("square_raw_snapshots_job", "snapshots of locations, catalog and customers", say)
    _run(
        "square_raw_daily_job",
        f"raw orders, payments and refunds for {first_day}..{last_day} (one run for the range)",
        say,
        (first_day, last_day),
    )
    _run("square_raw_freshness_checks", "freshness checks of the backfill window's raw partitions", say)
    _run(
        "rebuild_warehouse",
        f"dbt staging and marts for {first_day}..{last_day}, then their gold tables (one run, dbt tests as checks)",
        say,
        (first_day, last_day),
    )
    _run(
        "square_reports_parity_job",
        f"the Dashboard report marts compared with Square's Reporting API for {first_day}..{last_day}",
        say,
        (first_day, last_day),
    )


def _gold_lake():
    from data_platform.resources import build_lake
    from data_platform.settings import platform_settings

    return build_lake(platform_settings())


def print_summary(say: Say) -> None:
    """The last days' net sales per store, read as an analyst reads them: from the gold tables."""
    import duckdb

    from data_platform.resources.delta_tables import delta_location, open_table

    lake = _gold_lake()
    connection = duckdb.connect()
    for view, table in (("sales", "daily_sales_by_location"), ("stores", "dim_locations")):
        connection.register(
            view, open_table(delta_location(lake, f"gold/{table}", table)).to_pyarrow_dataset()
        )
    rows = connection.sql(
        """
        select l.location_name, d.business_date, d.order_count, d.net_sales, d.total_collected, d.currency
        from sales d join stores l using (location_id)
        where d.business_date >= (select max(business_date) - 2 from sales)
        order by d.business_date desc, l.location_name
        """
    ).fetchall()
    say("    net sales of the last three business days (gold/daily_sales_by_location):")
    for name, day, orders, net, collected, currency in rows:
        print(
            f"      {day}  {name:<28} {orders:>6} orders  net {net / 100:>12,.2f} {currency}  collected {collected / 100:>12,.2f}"
        )


def print_gold_tables(say: Say) -> str:
    """Where the gold tables are (what analysts, Power BI and Fabric open); returns the gold folder."""
    from data_platform.resources.delta_tables import delta_location, open_table, row_count
    from square_sales.gold.tables import gold_tables
    from square_sales.transform.manifest import DbtManifest
    from square_sales.transform.project import dbt_manifest_path

    lake = _gold_lake()
    say("    gold tables (Delta Lake) for analysts, Power BI and Fabric (README, Analysts' guide):")
    for table in gold_tables(DbtManifest.load(dbt_manifest_path())):
        location = delta_location(lake, table.lake_path, name=table.name)
        delta = open_table(location)
        state = f"version {delta.version()}, {row_count(delta):,} rows" if delta else "not published"
        print(f"      {location.url}  ({state})")
    gold = lake.url("gold")
    print(
        "\n  Read one with Python (deltalake + DuckDB), while the platform keeps writing:\n"
        f"    .venv/bin/python -c \"import duckdb, deltalake; sales = deltalake.DeltaTable('{gold}/daily_sales_by_location')"
        ".to_pyarrow_dataset(); print(duckdb.sql('select * from sales order by business_date desc limit 10'))\"\n",
        flush=True,
    )
    return gold


def generate_dbt_docs(say: Say) -> Path:
    """`dbt docs generate` against the warehouse just built; returns the folder to serve."""
    from square_sales.transform.environment import dbt_environment
    from square_sales.transform.project import DBT_PROJECT_DIR, dbt_target_for

    say("    generating dbt docs (dbt docs generate)")
    warehouse = _square_sales().resources["warehouse"]
    project_dir = DBT_PROJECT_DIR
    with dbt_environment(warehouse):
        subprocess.run(
            ["dbt", "docs", "generate", "--quiet", "--profiles-dir", str(project_dir),
             "--target", dbt_target_for(warehouse.lake)],
            cwd=project_dir,
            check=True,
        )  # fmt: skip
    return project_dir / "target"
