"""Reading the instance for the alert sensors: the events after a cursor, turned into the plain dataclasses that
:mod:`data_platform.alerts.decisions` decides on, with the code location and partition of the run behind each.

The instance's event log is shared by all code locations, so the sensors in `data_platform` see every location's
check evaluations and freshness changes here.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from dagster import (
    AssetKey,
    DagsterEvent,
    DagsterEventType,
    DagsterInstance,
    DagsterRun,
    EventLogRecord,
    EventRecordsFilter,
    RunFailureSensorContext,
    RunShardedEventsCursor,
)

from data_platform.alerts.cursor import EventCursor
from data_platform.alerts.decisions import CheckEvaluation, FailedRun, FreshnessChange, StepFailure
from data_platform.partition_ranges import partition_range_of

# Bounded work per tick; the cursor carries the rest over to the next tick.
MAX_EVENTS_PER_TICK = 500
UNKNOWN_LOCATION = "(unknown code location)"


# -- the run behind an event ------------------------------------------------------------------------------------


def code_location_of(run: DagsterRun | None) -> str:
    """The code location that launched ``run``: from the run's origin, else from the module it was loaded from."""
    if run is None:
        return UNKNOWN_LOCATION
    if run.remote_job_origin is not None:
        return run.remote_job_origin.location_name
    if run.job_code_origin is not None:
        module = getattr(run.job_code_origin.repository_origin.code_pointer, "module", None)
        if module:
            return module.split(".")[0]
    return UNKNOWN_LOCATION


def partition_of(run: DagsterRun | None) -> str | None:
    """The partition of a run, or its range as ``first...last``."""
    bounds = partition_range_of(run.tags) if run is not None else None
    if bounds is None:
        return None
    first, last = bounds
    return first if first == last else f"{first}...{last}"


class RunLookup:
    """Runs by id, cached for one tick: many events of one tick usually share a run."""

    def __init__(self, instance: DagsterInstance):
        self._instance = instance
        self._cache: dict[str, DagsterRun | None] = {}

    def get(self, run_id: str | None) -> DagsterRun | None:
        if not run_id:
            return None
        if run_id not in self._cache:
            self._cache[run_id] = self._instance.get_run_by_id(run_id)
        return self._cache[run_id]


# -- new events after the cursor --------------------------------------------------------------------------------


def identity_of(record: EventLogRecord) -> str:
    return f"{record.run_id or '-'}/{record.storage_id}"


def positions_of(records: list[EventLogRecord]) -> list[tuple[str, float]]:
    """What the cursor keeps of the events read: (identity, timestamp)."""
    return [(identity_of(record), record.timestamp) for record in records]


def new_records(
    instance: DagsterInstance, event_type: DagsterEventType, cursor: EventCursor, lookback_hours: int
) -> list[EventLogRecord]:
    """The events of ``event_type`` after the cursor not handled yet, oldest first, at most MAX_EVENTS_PER_TICK."""
    since = cursor.read_after(time.time(), lookback_hours)
    records_filter = EventRecordsFilter(
        event_type,
        after_timestamp=since,
        # Ignored by consolidated storages (PostgreSQL); tells SQLite which per-run databases to open.
        after_cursor=RunShardedEventsCursor(id=0, run_updated_after=datetime.fromtimestamp(since, tz=UTC)),
    )
    # The overlap re-reads events already handled, at most the cursor's `seen`: ask for that many more, or a burst
    # of more than MAX_EVENTS_PER_TICK events within the overlap would be re-read on every tick, and none after it.
    records = instance.event_log_storage.get_event_records(
        records_filter, limit=MAX_EVENTS_PER_TICK + len(cursor.seen), ascending=True
    )
    fresh = [record for record in records if cursor.is_new(identity_of(record))]
    return sorted(fresh, key=lambda record: (record.timestamp, record.storage_id))


# -- events as the decisions take them --------------------------------------------------------------------------


def check_evaluations(instance: DagsterInstance, records: list[EventLogRecord]) -> list[CheckEvaluation]:
    runs = RunLookup(instance)
    evaluations = []
    for record in records:
        data = record.event_log_entry.dagster_event.asset_check_evaluation_data
        run = runs.get(record.run_id)
        evaluations.append(
            CheckEvaluation(
                asset_key=data.asset_key,
                check_name=data.check_name,
                passed=data.passed,
                code_location=code_location_of(run),
                severity=data.severity,
                partition=data.partition or partition_of(run),
                run_id=record.run_id,
                description=data.description,
                metadata=data.metadata,
            )
        )
    return evaluations


def freshness_changes(instance: DagsterInstance, records: list[EventLogRecord]) -> list[FreshnessChange]:
    runs = RunLookup(instance)
    latest: dict[AssetKey, tuple[str, float | None]] = {}  # one lookup per asset and tick
    changes = []
    for record in records:
        data = record.event_log_entry.dagster_event.asset_freshness_state_change_data
        if data.key not in latest:
            latest[data.key] = _latest_materialization(instance, data.key, runs)
        code_location, last_materialized_at = latest[data.key]
        changes.append(
            FreshnessChange(
                asset_key=data.key,
                # FreshnessState is a str enum Dagster does not export; its value is what the decision needs.
                previous_state=data.previous_state.value,
                new_state=data.new_state.value,
                code_location=code_location,
                last_materialized_at=last_materialized_at,
            )
        )
    return changes


def _latest_materialization(
    instance: DagsterInstance, asset_key: AssetKey, runs: RunLookup
) -> tuple[str, float | None]:
    """The code location and time of the asset's latest materialization: where it comes from, and how old."""
    record = instance.get_latest_materialization_event(asset_key)
    if record is None:
        return code_location_of(None), None
    return code_location_of(runs.get(record.run_id)), record.timestamp


def failed_run(context: RunFailureSensorContext) -> tuple[FailedRun, list[StepFailure]]:
    run = context.dagster_run
    step_failures = [_step_failure(event) for event in context.get_step_failure_events()]
    assets = tuple(key.to_user_string() for key in sorted(run.asset_selection or ()))
    return (
        FailedRun(
            run_id=run.run_id,
            job_name=run.job_name,
            code_location=code_location_of(run),
            partition=partition_of(run),
            assets=assets,
            failure_message=context.failure_event.message,
        ),
        step_failures,
    )


def _step_failure(event: DagsterEvent) -> StepFailure:
    error = getattr(event.event_specific_data, "error", None)
    return StepFailure(event.step_key, error.message if error is not None else None)
