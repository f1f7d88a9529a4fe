"""When the dbt models run: their automation conditions, evaluated by the ``square_dbt_automation`` sensor.

A model partition is requested when a raw partition it reads was materialized *after* the model was last
requested. Both sides carry a time (Dagster's timing metadata: the raw materialization's timestamp, the tick that
requested the model), and the later one wins. So a raw re-pull landing while the model's run is queued or running,
or between that run and the next tick, keeps the partition due, and it runs again once nothing is in progress.
``AutomationCondition.eager()`` loses such a re-pull: its trigger is an OR (no timing), and on a tick where both
the trigger and "handled" fire, "handled" wins, so the marts stay silently stale (issue 14).

A run starts after the tick that requested it, so comparing a raw materialization with the request is safe: a raw
file committed before the request is read by the run; one committed after makes the partition due again.

A model is also requested with the models it reads when they are requested in the same tick, and after a run that
updated them without it. Nothing runs while a raw partition it reads is missing or being pulled, or while the
model is itself in progress.

Blocking raw checks block (``no_duplicate_ids``, ``no_null_keys``): a model partition runs only when the blocking
checks of every raw partition it reads (a daily model's run reads the raw days around its own, see
``partition_window.py``) passed on that partition's latest materialization. Broken raw data never
flows into the marts, and flows once fixed (pulled again, or checked again, and passing). Dagster's own
``all_deps_blocking_checks_passed()`` cannot say so here: Dagster 1.13 records a partitioned check evaluated in a
partition-range run (every window, sensor and backfill run of this project) without its partitions, so for those
days that condition never passes. ``RawBlockingChecksPassed`` reads the evaluations and their runs' ranges itself.
A day committed by a range run that failed before its checks ran counts as unchecked: it waits for a pull that
succeeds.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from datetime import date, timedelta

from dagster import (
    AssetCheckKey,
    AssetKey,
    AssetRecordsFilter,
    AssetSelection,
    AutomationCondition,
    AutomationContext,
    AutomationResult,
    DagsterRun,
    DagsterRunStatus,
    EventLogRecord,
)

from data_platform.partition_ranges import partition_range_of
from square_sales.keys import RAW_GROUP
from square_sales.transform.partition_window import dbt_window_for_partitions

RAW = AssetSelection.groups(RAW_GROUP)


# Check evaluations read per check and tick, newest first: enough to see the evaluations after any recent
# materialization; an older one is judged by the run that made it (a failing blocking check fails its run).
HISTORY_READ = 50


class RawBlockingChecksPassed(AutomationCondition):
    """True for a partition when every raw partition it reads passed its blocking checks on its latest
    materialization. ``gated``: the raw assets to judge, when not only the model's own raw parents (the daily
    models build a day together, so each is held back by any raw daily asset of that day). Raw daily partitions
    map one to one; raw snapshots are unpartitioned."""

    def __init__(self, gated: Sequence[AssetKey] = ()) -> None:
        self._gated = tuple(gated)

    @property
    def name(self) -> str:
        gated = ", ".join(key.to_user_string() for key in self._gated)
        return f"raw_blocking_checks_passed({gated})" if gated else "raw_blocking_checks_passed"

    @property
    def description(self) -> str:
        return "The blocking checks of every raw partition read passed on its latest materialization"

    def evaluate(self, context: AutomationContext) -> AutomationResult:
        graph = context.asset_graph
        raw_keys = RAW.resolve(graph, allow_missing=True)
        parents = self._gated or [key for key in graph.get(context.key).parent_keys if key in raw_keys]
        judge = _RawJudge.of_tick(context)

        def passes(partition: str | None) -> bool:
            return all(
                judge.passed(key, raw_partition)
                for key in parents
                for raw_partition in (
                    _read_partitions(partition) if graph.get(key).partitions_def else [None]
                )
            )

        candidates = context.candidate_subset
        if not candidates.is_partitioned:
            true_subset = candidates if passes(None) else context.get_empty_subset()
        else:
            keys = {p for p in candidates.expensively_compute_partition_keys() if passes(p)}
            true_subset = candidates.compute_intersection_with_partition_keys(keys)
        return AutomationResult(context=context, true_subset=true_subset)


class _RawJudge:
    """Whether a raw partition's latest materialization passed its blocking checks (reads cached for one tick)."""

    # One judge per tick, shared by every model: the daily models all ask about the same raw days. A tick's
    # evaluations share one asset graph view, which lives as long as the tick. A judge per model read the instance
    # ~30,000 times a tick for twelve days of twenty raw assets (two to four minutes).
    _of_view: weakref.WeakKeyDictionary[object, _RawJudge] = weakref.WeakKeyDictionary()

    @classmethod
    def of_tick(cls, context: AutomationContext) -> _RawJudge:
        view = context.asset_graph_view
        if view not in cls._of_view:
            cls._of_view[view] = cls(view.instance, context.asset_graph)
        return cls._of_view[view]

    def __init__(self, instance, graph):
        self._instance, self._graph = instance, graph
        self._runs: dict[str, DagsterRun | None] = {}
        self._history: dict[AssetCheckKey, list] = {}
        self._verdicts: dict[tuple[AssetKey, str | None], bool] = {}

    def passed(self, key: AssetKey, partition: str | None) -> bool:
        if (key, partition) not in self._verdicts:
            self._verdicts[key, partition] = self._judge(key, partition)
        return self._verdicts[key, partition]

    def _judge(self, key: AssetKey, partition: str | None) -> bool:
        records = self._instance.fetch_materializations(
            AssetRecordsFilter(key, asset_partitions=[partition] if partition else None), limit=1
        ).records
        if not records:
            return True  # missing is another condition's business
        latest = records[0]
        checks = [k for k in self._graph.get_check_keys_for_assets({key}) if self._graph.get(k).blocking]
        return all(self._check_passed(check, partition, latest) for check in checks)

    def _check_passed(self, check_key: AssetCheckKey, partition: str | None, latest: EventLogRecord) -> bool:
        """The newest evaluation of the check after the materialization, covering the partition, decides; with
        none, the run that made the materialization does (it fails when a blocking check fails)."""
        for record in self._evaluations(check_key):
            # The event's own time: the record's creation time is stored to the second.
            if record.event.timestamp < latest.timestamp:
                break
            if self._covers(record.partition, record.run_id, partition):
                return record.status.value == "SUCCEEDED"
        if not latest.run_id:
            return True  # reported from outside any run: nothing says it is broken
        run = self._run(latest.run_id)
        return run is not None and run.status == DagsterRunStatus.SUCCESS

    def _evaluations(self, check_key: AssetCheckKey) -> list:
        if check_key not in self._history:
            self._history[check_key] = [
                record
                for record in self._instance.event_log_storage.get_asset_check_execution_history(
                    check_key, limit=HISTORY_READ
                )
                # Dagster does not export the status enum; its values are stable strings.
                if record.status.value in ("SUCCEEDED", "FAILED") and record.event is not None
            ]
        return self._history[check_key]

    def _covers(self, evaluated: str | None, run_id: str, partition: str | None) -> bool:
        if partition is None or evaluated == partition:
            return True
        if evaluated is not None:
            return False
        run = self._run(run_id)  # a range run records its check without a partition: its tags say which
        bounds = partition_range_of(run.tags) if run is not None else None
        return bounds is not None and bounds[0] <= partition <= bounds[1]

    def _run(self, run_id: str) -> DagsterRun | None:
        if run_id not in self._runs:
            self._runs[run_id] = self._instance.get_run_by_id(run_id)
        return self._runs[run_id]


def _read_partitions(partition: str | None) -> list[str | None]:
    """The raw daily partitions a run of the daily models for ``partition`` reads (its dbt window)."""
    if partition is None:
        return [None]
    day = date.fromisoformat(partition)
    window = dbt_window_for_partitions(day, day + timedelta(days=1))
    span = (window.raw_partition_end - window.raw_partition_start).days
    return [(window.raw_partition_start + timedelta(days=n)).isoformat() for n in range(span + 1)]


def _raw_updated_since_requested() -> AutomationCondition:
    # One SINCE over two timed operands: an AND/OR in between would drop the timestamps.
    return (
        AutomationCondition.any_deps_match(AutomationCondition.newly_updated())
        .allow(RAW)
        .since(AutomationCondition.newly_requested())
        .with_label("raw_updated_since_requested")
    )


def model_condition(models: AssetSelection, gated: Sequence[AssetKey] = ()) -> AutomationCondition:
    """The condition of a dbt model reading the raw layer and the other ``models`` (its own kind: daily models
    read daily models; reference data changing does not rebuild every historical day, rebuild_warehouse does).
    ``gated``: the raw assets whose blocking checks hold it back (default: its own raw parents)."""
    reads = RAW | models
    model_requested_now = AutomationCondition.any_deps_match(AutomationCondition.will_be_requested())
    model_updated_without_it = AutomationCondition.any_deps_match(
        AutomationCondition.newly_updated() & ~AutomationCondition.executed_with_root_target()
    )
    return (
        (
            _raw_updated_since_requested()
            | model_requested_now.allow(models)
            | model_updated_without_it.allow(models).since_last_handled()
        )
        & ~AutomationCondition.any_deps_missing().allow(reads)
        & ~AutomationCondition.any_deps_in_progress().allow(reads)
        & ~AutomationCondition.in_progress()
        # Last: it reads the instance per partition, so it only sees the few partitions still due.
        & RawBlockingChecksPassed(gated)
    ).with_label("raw_changes_reach_the_model")
