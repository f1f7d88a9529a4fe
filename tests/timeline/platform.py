"""The square_sales platform driven the way Dagster's daemon drives it, on a clock the test moves.

The real definitions (raw assets, the backfill-window schedule, the late-change sensor, the dbt assets and their
automation sensor, the quality checks) with real resources: the Square sandbox over HTTP, a local lake, a DuckDB
warehouse built by dbt, and a persistent Dagster instance on disk. The test plays the daemon: it ticks the
schedule at a scheduled time, ticks the sensors (carrying their cursors), and launches the runs they request, now,
later (queued behind the single warehouse writer) or in a thread while other work goes on. The sandbox's clock and
the late-change sensor's clock are the same simulated clock; everything Dagster stamps (events, runs) keeps the
real one, as it would.
"""

from __future__ import annotations

import datetime as dt
import shutil
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
from dagster import (
    AssetKey,
    DagsterInstance,
    Definitions,
    RunRequest,
    build_schedule_context,
    build_sensor_context,
)

from data_platform.partition_ranges import partition_range_of, partition_range_tags
from data_platform.resources.lake import LakeResource
from data_platform.resources.warehouse import WarehouseResource
from square_sales.ingestion import ingestion_definitions
from square_sales.ingestion.resource import SquareClientResource
from square_sales.partitions import build_daily_partitions, contiguous_ranges
from square_sales.quality import RAW_QUALITY_JOB, build_quality_definitions, load_quality_settings
from square_sales.quality.marts_guard import CHECK_KEY, GUARD_JOB, build_marts_guard_definitions
from square_sales.settings import load_square_sales_settings
from square_sales.transform import transform_definitions
from square_sales.transform.project import build_dbt_resource
from tests.transform.test_marts_match_sandbox import MEASURES, differences, ground_truth

WINDOW_SCHEDULE = "square_raw_backfill_window_schedule"
CHANGE_SENSOR = "square_raw_late_change_sensor"
AUTOMATION_SENSOR = "square_dbt_automation"
RAW_JOB = "square_raw_daily_job"
SNAPSHOTS_JOB = "square_raw_snapshots_job"


@dataclass
class Launched:
    """What the platform ran, in order: (kind, description, success)."""

    runs: list[tuple[str, str, bool]] = field(default_factory=list)

    def of(self, kind: str) -> list[tuple[str, str, bool]]:
        return [run for run in self.runs if run[0] == kind]


class SimulatedPlatform:
    def __init__(self, square, folder: Path, environ: dict[str, str] | None = None) -> None:
        self.square = square
        self.folder = folder
        self.environ = dict(environ or {})
        self.lake = LakeResource(root_url=str(folder / "lake"))
        self.lake.check()
        self.warehouse_path = folder / "warehouse.duckdb"
        (folder / "dagster_home").mkdir(parents=True, exist_ok=True)
        self.instance = _instance(folder / "dagster_home")
        self.now = square.now()
        settings = load_square_sales_settings(self.environ)
        self.partitions = build_daily_partitions(settings)
        self._parts = Definitions.merge(
            ingestion_definitions(settings, self.partitions, clock=lambda: self.now),
            build_quality_definitions(
                load_quality_settings(self.environ), settings.backfill_window_days, self.partitions
            ),
            transform_definitions(self.partitions),
            build_marts_guard_definitions(self.partitions, settings.audit_days, clock=lambda: self.now),
        )
        # Where raw runs and the late-change sensor reach Square (a test may put a failing proxy in between).
        self.square_url = square.base_url
        self.cursors: dict[str, str | None] = {}
        self.queue: list[tuple[list[AssetKey], dict[str, str]]] = []
        self.launched = Launched()
        self._threads: list[threading.Thread] = []
        self.last_tick_seconds = 0.0
        self.warehouse_lock_wait_seconds = 120  # the setting's default

    @property
    def defs(self) -> Definitions:
        """The definitions with the resources of the moment."""
        return Definitions.merge(self._parts, Definitions(resources=self.resources()))

    def resources(self) -> dict:
        return {
            "lake": self.lake,
            "warehouse": WarehouseResource(
                database_path=str(self.warehouse_path),
                lake=self.lake,
                lock_wait_seconds=self.warehouse_lock_wait_seconds,
            ),
            "square": self.square_resource(),
            "dbt": build_dbt_resource(self.lake),
        }

    def square_resource(self) -> SquareClientResource:
        # A short retry budget: a test's failing Square fails fast.
        return SquareClientResource(
            base_url=self.square_url, access_token=self.square.token, retry_max_seconds=2
        )

    def start(self, first_day: dt.date) -> None:
        """A platform in production: its sensors ticked before anything landed, snapshots and the days since
        ``first_day`` pulled (a backfill), and the automation's runs built the marts."""
        self.tick_automation()  # running before anything landed, as deployed
        self.tick_changes()  # the late-change sensor's first tick records where Square is
        self.pull_snapshots()
        today = self.now.astimezone(ZoneInfo(self.partitions.timezone)).date()
        self.pull(partition_range_tags(first_day.isoformat(), today.isoformat()))
        self.tick_automation()
        self.run_queued()

    # -- copies ----------------------------------------------------------------------------------------------

    def copy_to(self, folder: Path) -> SimulatedPlatform:
        """An independent platform from this one's lake, warehouse, instance and cursors (same sandbox)."""
        self.instance.dispose()
        shutil.copytree(self.folder, folder)
        self.instance = _instance(self.folder / "dagster_home")
        copy = SimulatedPlatform(self.square, folder, self.environ)
        copy.cursors = dict(self.cursors)
        copy.now = self.now
        copy._repoint_views(self.lake.path())
        return copy

    def _repoint_views(self, old_lake: str) -> None:
        """dbt compiled the lake's absolute path into the staging views: point the copy's at the copy's lake."""
        with duckdb.connect(str(self.warehouse_path)) as connection:
            views = connection.execute(
                "select sql from duckdb_views() where not internal and sql like ?", [f"%{old_lake}%"]
            ).fetchall()
            for (sql,) in views:
                connection.execute(
                    sql.replace("CREATE VIEW", "CREATE OR REPLACE VIEW", 1).replace(
                        old_lake, self.lake.path()
                    )
                )

    # -- the clock ---------------------------------------------------------------------------------------------

    def set_clock(self, moment: dt.datetime) -> None:
        self.now = self.square.set_clock(moment)

    # -- the daemon's ticks ------------------------------------------------------------------------------------

    def tick_window(self) -> list[RunRequest]:
        """The backfill-window schedule's tick at the current time; its run executes now."""
        schedule = self.defs.resolve_schedule_def(WINDOW_SCHEDULE)
        # Closed after the tick: an open context keeps a copy of the instance entered (Dagster's current state
        # storage points at it), and once that copy is collected the next definitions load fails.
        with build_schedule_context(instance=self.instance, scheduled_execution_time=self.now) as context:
            requests = list(schedule.evaluate_tick(context).run_requests or [])
        for request in requests:
            self.pull(request.tags)
        return requests

    def tick_changes(self, sensor=None, launch: bool = True) -> object:
        """One tick of the late-change sensor; the runs it requests execute now (unless ``launch`` is False)."""
        sensor = sensor or self.defs.resolve_sensor_def(CHANGE_SENSOR)
        started = time.perf_counter()
        with build_sensor_context(
            instance=self.instance,
            cursor=self.cursors.get(sensor.name),
            resources={"square": self.square_resource()},
        ) as context:
            result = sensor.evaluate_tick(context)
        self.last_tick_seconds = time.perf_counter() - started
        self.cursors[sensor.name] = result.cursor
        for request in result.run_requests if launch else []:
            self.pull(request.tags)
        return result

    def tick_automation(self) -> list[tuple[list[AssetKey], dict[str, str]]]:
        """One tick of the dbt automation sensor; its runs join the writer queue (see ``run_queued``)."""
        sensor = self.defs.resolve_sensor_def(AUTOMATION_SENSOR)
        context = build_sensor_context(
            instance=self.instance, cursor=self.cursors.get(sensor.name), definitions=self.defs
        )
        result = sensor.evaluate_tick(context)
        self.cursors[sensor.name] = result.cursor
        runs = [run for request in result.run_requests or [] for run in self._as_runs(request)]
        self.queue.extend(runs)
        return runs

    def _as_runs(self, request: RunRequest) -> list[tuple[list[AssetKey], dict[str, str]]]:
        """A run request as the runs the daemon launches: itself, or, for a backfill of single-run assets, one run
        per range of consecutive partitions per group of assets requested for the same partitions."""
        tags = dict(request.tags)
        subset = request.asset_graph_subset
        if subset is None:
            return [(list(request.asset_selection or []), tags)]
        runs = []
        if subset.non_partitioned_asset_keys:
            runs.append((sorted(subset.non_partitioned_asset_keys), tags))
        groups: dict[frozenset[str], list[AssetKey]] = {}
        for key, partitions in subset.partitions_subsets_by_asset_key.items():
            groups.setdefault(frozenset(partitions.get_partition_keys()), []).append(key)
        for partition_keys, keys in groups.items():
            for first, last in contiguous_ranges(partition_keys):
                runs.append((sorted(keys), {**tags, **partition_range_tags(first, last)}))
        return runs

    # -- runs --------------------------------------------------------------------------------------------------

    def pull(self, tags: dict[str, str]):
        """A run of the raw daily job (what the schedule and the sensor launch); its result."""
        job = self.defs.resolve_job_def(RAW_JOB)
        result = job.execute_in_process(instance=self.instance, tags=tags, raise_on_error=False)
        self.launched.runs.append(("raw", _describe(tags), result.success))
        return result

    def pull_snapshots(self) -> bool:
        result = self.defs.resolve_job_def(SNAPSHOTS_JOB).execute_in_process(
            instance=self.instance, raise_on_error=False
        )
        self.launched.runs.append(("snapshots", "-", result.success))
        return result.success

    def run_raw_checks(self, day: dt.date):
        """The raw quality checks of one day, without pulling (the job re-evaluating them after a fix)."""
        job = self.defs.resolve_job_def(RAW_QUALITY_JOB)
        return job.execute_in_process(
            instance=self.instance, tags={"dagster/partition": day.isoformat()}, raise_on_error=False
        )

    def run_queued(self) -> int:
        """Run the queued automation runs, one after the other (the warehouse has one writer)."""
        count = 0
        while self.queue:
            self._run(*self.queue.pop(0))
            count += 1
        return count

    def start_queued(self) -> None:
        """Start the queued automation runs in the background; ``wait`` joins them."""
        runs, self.queue = self.queue, []
        thread = threading.Thread(target=lambda: [self._run(*run) for run in runs], daemon=True)
        thread.start()
        self._threads.append(thread)

    def wait(self) -> None:
        for thread in self._threads:
            thread.join(timeout=600)
        self._threads.clear()

    def _run(self, keys: list[AssetKey], tags: dict[str, str]) -> None:
        job = self.defs.resolve_implicit_global_asset_job_def()
        result = job.execute_in_process(
            instance=self.instance, asset_selection=keys, tags=tags, raise_on_error=False
        )
        self.launched.runs.append(("dbt", _describe(tags), result.success))

    def run_guard(self):
        """The marts-vs-lake check's job, as its schedule launches it; its evaluation."""
        result = self.defs.resolve_job_def(GUARD_JOB).execute_in_process(
            instance=self.instance, raise_on_error=False
        )
        evaluations = [
            e.event_specific_data for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"
        ]
        return result, next((e for e in evaluations if e.asset_check_key == CHECK_KEY), None)

    def tick_repair(self) -> object:
        sensor = self.defs.resolve_sensor_def("square_marts_vs_lake_repair")
        context = build_sensor_context(instance=self.instance, cursor=self.cursors.get(sensor.name))
        result = sensor.evaluate_tick(context)
        self.cursors[sensor.name] = result.cursor
        for request in result.run_requests or []:
            self.pull(request.tags)
        return result

    def sweep(self, rounds: int = 6) -> None:
        """What happens once things settle: the window's run, the late-change sensor until it has read everything
        and requested nothing, the automation until it requests nothing."""
        self.wait()
        self.run_queued()
        self.tick_window()
        for _ in range(rounds):
            result = self.tick_changes()
            if not result.run_requests and "more next tick" not in (result.skip_message or ""):
                break
        for _ in range(rounds):
            if not self.tick_automation():
                break
            self.run_queued()

    # -- what the marts hold -----------------------------------------------------------------------------------

    def query(self, sql: str, *params) -> list[tuple]:
        with duckdb.connect(str(self.warehouse_path), read_only=True) as connection:
            return connection.execute(sql, list(params)).fetchall()

    def mismatches(self, first: dt.date, last: dt.date) -> list[str]:
        """Store-days of daily_sales_by_location that differ from the sandbox's ground truth now."""
        rows = self.query(
            f"select location_id, business_date, {', '.join(MEASURES)} from marts.daily_sales_by_location "
            "where business_date between ? and ?",
            first,
            last,
        )
        mart = {(row[0], row[1]): dict(zip(MEASURES, row[2:], strict=True)) for row in rows}
        return differences(ground_truth(self.square, first, last), mart)


def _describe(tags: dict[str, str]) -> str:
    bounds = partition_range_of(tags)
    return "-" if bounds is None else f"{bounds[0]}..{bounds[1]}"


def days(first: dt.date, last: dt.date) -> Iterable[dt.date]:
    return (first + dt.timedelta(days=n) for n in range((last - first).days + 1))


def days_of(tag_sets: Iterable[dict[str, str]]) -> set[dt.date]:
    """The days of runs, from their partition or partition-range tags."""
    found: set[dt.date] = set()
    for tags in tag_sets:
        bounds = partition_range_of(tags)
        if bounds:
            found |= set(days(dt.date.fromisoformat(bounds[0]), dt.date.fromisoformat(bounds[1])))
    return found


def _instance(home: Path) -> DagsterInstance:
    """A persistent instance in ``home`` (SQLite), without telemetry."""
    instance = DagsterInstance.local_temp(
        str(home),
        overrides={
            "telemetry": {"enabled": False},
            # No capture of stdout/stderr: it redirects the whole process's file descriptors, which two runs in one
            # process (a dbt run in a thread while a raw run pulls) undo in each other's order, and such runs
            # deadlocked. Deployed, each run is its own process and captures its own output.
            "compute_logs": {
                "module": "dagster._core.storage.noop_compute_log_manager",
                "class": "NoOpComputeLogManager",
            },
        },
    )
    # Dagster keeps the defs-state storage of an instance some run entered in a context variable, holding the
    # instance only weakly; ``copy_to`` replaces instances, and one collected would leave that variable pointing
    # at nothing ("undefined DagsterInstance weakref"). Instances of a test session are few: keep them alive.
    _INSTANCES.append(instance)
    return instance


_INSTANCES: list[DagsterInstance] = []
