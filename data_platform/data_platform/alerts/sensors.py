"""Sensors in the `data_platform` code location that turn problems in ANY code location into alerts.

- run failures: Dagster's run-failure sensor with ``monitor_all_code_locations=True``;
- failed asset checks: a failed check does not fail its run, so this sensor reads every ASSET_CHECK_EVALUATION in
  the instance's event log (shared by all code locations) after its cursor;
- stale assets: the same for FRESHNESS_STATE_CHANGE events written by Dagster's freshness evaluation.

No storms: the check sensor keeps the set of currently failing (check, partition) pairs in its cursor, alerts once
when a pair starts failing and once more when it recovers. Delivery problems are logged, never raised, so a
destination that is down cannot stop the sensor from advancing.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from dagster import (
    AssetCheckSeverity,
    AssetKey,
    DagsterEventType,
    DagsterRun,
    DefaultSensorStatus,
    EventLogRecord,
    EventRecordsFilter,
    MetadataValue,
    RunFailureSensorContext,
    RunShardedEventsCursor,
    SensorDefinition,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    run_failure_sensor,
    sensor,
)
from dagster._core.definitions.freshness import FreshnessState

from data_platform.alerts.destinations import AlertDestinations, Delivery
from data_platform.alerts.messages import Alert, Severity, asset_link, run_link

RESOURCE_KEY = "alert_destinations"
# Bounded work per tick; the cursor carries the rest over to the next tick.
MAX_EVENTS_PER_TICK = 500
UNKNOWN_LOCATION = "(unknown code location)"
PARTITION_TAG = "dagster/partition"


# -- where an event came from ----------------------------------------------------------------------------------


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
    if run is None:
        return None
    if PARTITION_TAG in run.tags:
        return run.tags[PARTITION_TAG]
    start = run.tags.get("dagster/asset_partition_range_start")
    end = run.tags.get("dagster/asset_partition_range_end")
    return f"{start}...{end}" if start and end else None


class _Runs:
    """Per-tick cache: many events of one tick usually share a run."""

    def __init__(self, instance):
        self._instance = instance
        self._cache: dict[str, DagsterRun | None] = {}

    def get(self, run_id: str | None) -> DagsterRun | None:
        if not run_id:
            return None
        if run_id not in self._cache:
            self._cache[run_id] = self._instance.get_run_by_id(run_id)
        return self._cache[run_id]


def _figures(metadata: Mapping[str, MetadataValue]) -> dict[str, str]:
    figures = {}
    for name, value in metadata.items():
        if name.startswith("dagster/"):
            continue
        raw = value.value if isinstance(value, MetadataValue) else value
        text = raw if isinstance(raw, str) else json.dumps(raw, default=str)
        figures[name] = text
    return figures


# -- delivery ---------------------------------------------------------------------------------------------------


def _deliver(context, destinations: AlertDestinations, alert: Alert) -> list[Delivery]:
    deliveries = destinations.send(alert)
    if not deliveries:
        context.log.warning(f"No alert destination is configured; not sent: {alert.title}")
    for delivery in deliveries:
        if delivery.delivered:
            context.log.info(f"Alert sent to {delivery.destination}: {alert.title}")
        else:
            # Logged and dropped: re-sending on the next tick would turn an outage into an alert storm.
            context.log.error(
                f"Alert NOT delivered to {delivery.destination} ({delivery.detail}): {alert.title}"
            )
    return deliveries


# -- cursor -----------------------------------------------------------------------------------------------------


@dataclass
class EventCursor:
    """Where reading stopped, and what is failing right now (key -> severity).

    Position is an event timestamp, not a storage id: the default SQLite instance keeps check evaluations in one
    database per run, whose ids are not comparable across runs. Events in the last OVERLAP_SECONDS are re-read
    on the next tick and skipped by identity, so none is lost or handled twice.
    """

    after_timestamp: float | None = None
    seen: dict[str, float] = field(default_factory=dict)  # identity -> timestamp, within the overlap
    failing: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, raw: str | None) -> EventCursor:
        if not raw:
            return cls()
        data = json.loads(raw)
        return cls(data.get("after_timestamp"), dict(data.get("seen", {})), dict(data.get("failing", {})))

    def dump(self) -> str:
        return json.dumps(
            {"after_timestamp": self.after_timestamp, "seen": self.seen, "failing": self.failing},
            sort_keys=True,
        )


OVERLAP_SECONDS = 5.0


def _identity(record: EventLogRecord) -> str:
    return f"{record.run_id or '-'}/{record.storage_id}"


def _new_records(
    context: SensorEvaluationContext, event_type: DagsterEventType, cursor: EventCursor, lookback_hours: int
) -> list[EventLogRecord]:
    # First tick: look back a bounded window rather than replaying the whole history as alerts.
    start = (
        cursor.after_timestamp if cursor.after_timestamp is not None else time.time() - lookback_hours * 3600
    )
    since = start - OVERLAP_SECONDS
    records_filter = EventRecordsFilter(
        event_type,
        after_timestamp=since,
        # Ignored by consolidated storages (PostgreSQL); tells SQLite which per-run databases to open.
        after_cursor=RunShardedEventsCursor(id=0, run_updated_after=datetime.fromtimestamp(since, tz=UTC)),
    )
    records = context.instance.event_log_storage.get_event_records(
        records_filter, limit=MAX_EVENTS_PER_TICK, ascending=True
    )
    fresh = [r for r in records if _identity(r) not in cursor.seen]
    return sorted(fresh, key=lambda r: (r.timestamp, r.storage_id))


def _advance(cursor: EventCursor, records: Iterable[EventLogRecord], context) -> None:
    records = list(records)
    if cursor.after_timestamp is None:
        cursor.after_timestamp = time.time() - OVERLAP_SECONDS
    if records:
        cursor.after_timestamp = max(cursor.after_timestamp, max(r.timestamp for r in records))
    seen = {**cursor.seen, **{_identity(r): r.timestamp for r in records}}
    cursor.seen = {k: t for k, t in seen.items() if t > cursor.after_timestamp - 2 * OVERLAP_SECONDS}


# -- sensors ----------------------------------------------------------------------------------------------------


def build_alert_sensors(
    ui_base_url: str, interval_seconds: int = 60, lookback_hours: int = 24
) -> list[SensorDefinition]:
    """The three platform alert sensors. They need the ``alert_destinations`` resource."""

    @run_failure_sensor(
        name="alert_on_run_failure",
        description="Alerts on every failed run in any code location.",
        monitor_all_code_locations=True,
        minimum_interval_seconds=interval_seconds,
        default_status=DefaultSensorStatus.RUNNING,
    )
    def alert_on_run_failure(context: RunFailureSensorContext, alert_destinations: AlertDestinations):
        run = context.dagster_run
        step_failures = context.get_step_failure_events()
        errors = [
            e.event_specific_data.error.message.strip()
            for e in step_failures
            if getattr(e.event_specific_data, "error", None) is not None
        ]
        figures = {"Job": run.job_name, "Run": run.run_id}
        if step_failures:
            figures["Failed steps"] = ", ".join(sorted({e.step_key or "?" for e in step_failures}))
        alert = Alert(
            severity=Severity.ERROR,
            headline=f"Run failed: {run.job_name}",
            code_location=code_location_of(run),
            subject=f"job {run.job_name}"
            + (
                f" ({', '.join(k.to_user_string() for k in sorted(run.asset_selection))})"
                if run.asset_selection
                else ""
            ),
            partition=partition_of(run),
            what_failed=errors[0] if errors else (context.failure_event.message or "the run failed"),
            figures=figures,
            link=run_link(ui_base_url, run.run_id),
            dedup_key=f"run:{run.run_id}",
        )
        _deliver(context, alert_destinations, alert)

    @sensor(
        name="alert_on_failed_asset_checks",
        description=(
            "Alerts once when an asset check starts failing for a partition, in any code location, "
            "and once when it passes again."
        ),
        minimum_interval_seconds=interval_seconds,
        default_status=DefaultSensorStatus.RUNNING,
    )
    def alert_on_failed_asset_checks(context: SensorEvaluationContext, alert_destinations: AlertDestinations):
        cursor = EventCursor.parse(context.cursor)
        records = _new_records(context, DagsterEventType.ASSET_CHECK_EVALUATION, cursor, lookback_hours)
        runs = _Runs(context.instance)
        sent = 0
        for record in records:
            evaluation = record.event_log_entry.dagster_event.asset_check_evaluation_data
            run = runs.get(record.run_id)
            partition = evaluation.partition or partition_of(run)
            key = f"{evaluation.asset_key.to_user_string()}|{evaluation.check_name}|{partition or ''}"
            if evaluation.passed == (key not in cursor.failing):
                continue  # no change: still passing, or still failing (already alerted)
            if evaluation.passed:
                severity, headline = Severity.RECOVERED, "Check passes again"
                what = (
                    f"{evaluation.check_name} passes again (it was failing with {cursor.failing.pop(key)})."
                )
            else:
                severity = (
                    Severity.ERROR if evaluation.severity == AssetCheckSeverity.ERROR else Severity.WARN
                )
                headline, what = "Check failed", evaluation.description or f"{evaluation.check_name} failed"
                cursor.failing[key] = severity.value
            subject = f"{evaluation.asset_key.to_user_string()} · {evaluation.check_name}"
            alert = Alert(
                severity=severity,
                headline=f"{headline}: {subject}",
                code_location=code_location_of(run),
                subject=subject,
                partition=partition,
                what_failed=what,
                figures=_figures(evaluation.metadata),
                link=run_link(ui_base_url, record.run_id)
                if record.run_id
                else asset_link(ui_base_url, evaluation.asset_key.path, evaluation.check_name),
                dedup_key=key,
            )
            _deliver(context, alert_destinations, alert)
            sent += 1
        _advance(cursor, records, context)
        summary = f"{len(records)} check evaluation(s) read, {sent} alert(s), {len(cursor.failing)} failing"
        return SensorResult(cursor=cursor.dump(), skip_reason=SkipReason(summary))

    @sensor(
        name="alert_on_stale_assets",
        description="Alerts when an asset's freshness policy turns WARN or FAIL in any code location, and when "
        "it is fresh again.",
        minimum_interval_seconds=interval_seconds,
        default_status=DefaultSensorStatus.RUNNING,
    )
    def alert_on_stale_assets(context: SensorEvaluationContext, alert_destinations: AlertDestinations):
        cursor = EventCursor.parse(context.cursor)
        records = _new_records(context, DagsterEventType.FRESHNESS_STATE_CHANGE, cursor, lookback_hours)
        runs = _Runs(context.instance)
        sent = 0
        for record in records:
            change = record.event_log_entry.dagster_event.asset_freshness_state_change_data
            key = change.key.to_user_string()
            if change.new_state in (FreshnessState.WARN, FreshnessState.FAIL):
                if cursor.failing.get(key) == change.new_state.value:
                    continue
                severity = Severity.ERROR if change.new_state == FreshnessState.FAIL else Severity.WARN
                headline, what = "Asset is stale", f"freshness policy is {change.new_state.value}"
                cursor.failing[key] = change.new_state.value
            elif change.new_state == FreshnessState.PASS and key in cursor.failing:
                severity, headline = Severity.RECOVERED, "Asset is fresh again"
                what = f"freshness policy passes again (was {cursor.failing.pop(key)})"
            else:
                continue
            last_run, last_update = _last_materialization(context, change.key, runs)
            figures = {
                "Freshness": f"{change.previous_state.value} → {change.new_state.value}",
                "Last materialization": last_update or "never",
            }
            alert = Alert(
                severity=severity,
                headline=f"{headline}: {key}",
                code_location=code_location_of(last_run),
                subject=key,
                what_failed=what,
                figures=figures,
                link=asset_link(ui_base_url, change.key.path),
                dedup_key=f"freshness:{key}",
            )
            _deliver(context, alert_destinations, alert)
            sent += 1
        _advance(cursor, records, context)
        summary = f"{len(records)} freshness change(s) read, {sent} alert(s), {len(cursor.failing)} stale"
        return SensorResult(cursor=cursor.dump(), skip_reason=SkipReason(summary))

    return [alert_on_run_failure, alert_on_failed_asset_checks, alert_on_stale_assets]


def _last_materialization(context, asset_key: AssetKey, runs: _Runs) -> tuple[DagsterRun | None, str | None]:
    """The run and time of the asset's latest materialization (to name its code location and how old it is)."""
    record = context.instance.get_latest_materialization_event(asset_key)
    if record is None:
        return None, None
    when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(record.timestamp))
    return runs.get(record.run_id), when


__all__ = ["RESOURCE_KEY", "EventCursor", "build_alert_sensors", "code_location_of"]
