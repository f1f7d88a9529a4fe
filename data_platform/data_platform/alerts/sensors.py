"""Sensors in the `data_platform` code location that turn problems in ANY code location into alerts.

- run failures: Dagster's run-failure sensor with ``monitor_all_code_locations=True``;
- failed asset checks: a failed check does not fail its run, so this sensor reads every ASSET_CHECK_EVALUATION in
  the instance's event log (shared by all code locations) after its cursor;
- stale assets: the same for FRESHNESS_STATE_CHANGE events written by Dagster's freshness evaluation.

Each sensor is thin: read the events (:mod:`~data_platform.alerts.event_log`), decide what to alert
(:mod:`~data_platform.alerts.decisions`, pure), deliver, store the cursor. Delivery problems are logged, never
raised, so a destination that is down cannot stop the sensor from advancing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping

from dagster import (
    DagsterEventType,
    DagsterInstance,
    DefaultSensorStatus,
    EventLogRecord,
    RunFailureSensorContext,
    SensorDefinition,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    run_failure_sensor,
    sensor,
)

from data_platform.alerts.cursor import EventCursor
from data_platform.alerts.decisions import check_alerts, freshness_alerts, run_failure_alert
from data_platform.alerts.destinations import AlertDestinations, Delivery
from data_platform.alerts.event_log import (
    check_evaluations,
    failed_run,
    freshness_changes,
    new_records,
    positions_of,
)
from data_platform.alerts.messages import Alert

RESOURCE_KEY = "alert_destinations"

# (instance, records) -> the events as the decision takes them
Read = Callable[[DagsterInstance, list[EventLogRecord]], list]
# (events, failing before, UI base URL) -> (alerts, failing after)
Decide = Callable[[Iterable, Mapping[str, str], str], tuple[list[Alert], dict[str, str]]]


def build_alert_sensors(
    ui_base_url: str, interval_seconds: int = 60, lookback_hours: int = 24
) -> list[SensorDefinition]:
    """The three platform alert sensors. They need the ``alert_destinations`` resource."""
    return [
        _run_failure_sensor(ui_base_url, interval_seconds),
        _state_change_sensor(
            name="alert_on_failed_asset_checks",
            description="Alerts once when an asset check starts failing for a partition, in any code location, "
            "and once when it passes again.",
            event_type=DagsterEventType.ASSET_CHECK_EVALUATION,
            read=check_evaluations,
            decide=check_alerts,
            summary="{read} check evaluation(s) read, {sent} alert(s), {failing} failing",
            ui_base_url=ui_base_url,
            interval_seconds=interval_seconds,
            lookback_hours=lookback_hours,
        ),
        _state_change_sensor(
            name="alert_on_stale_assets",
            description="Alerts when an asset's freshness policy turns WARN or FAIL in any code location, and "
            "when it is fresh again.",
            event_type=DagsterEventType.FRESHNESS_STATE_CHANGE,
            read=freshness_changes,
            decide=freshness_alerts,
            summary="{read} freshness change(s) read, {sent} alert(s), {failing} stale",
            ui_base_url=ui_base_url,
            interval_seconds=interval_seconds,
            lookback_hours=lookback_hours,
        ),
    ]


def _run_failure_sensor(ui_base_url: str, interval_seconds: int) -> SensorDefinition:
    @run_failure_sensor(
        name="alert_on_run_failure",
        description="Alerts on every failed run in any code location.",
        monitor_all_code_locations=True,
        minimum_interval_seconds=interval_seconds,
        default_status=DefaultSensorStatus.RUNNING,
    )
    def alert_on_run_failure(context: RunFailureSensorContext, alert_destinations: AlertDestinations):
        run, step_failures = failed_run(context)
        _deliver(context, alert_destinations, run_failure_alert(run, step_failures, ui_base_url))

    return alert_on_run_failure


def _state_change_sensor(
    *,
    name: str,
    description: str,
    event_type: DagsterEventType,
    read: Read,
    decide: Decide,
    summary: str,
    ui_base_url: str,
    interval_seconds: int,
    lookback_hours: int,
) -> SensorDefinition:
    """A sensor that reads ``event_type`` events after its cursor and alerts on changes of failing state."""

    @sensor(
        name=name,
        description=description,
        minimum_interval_seconds=interval_seconds,
        default_status=DefaultSensorStatus.RUNNING,
    )
    def state_change_sensor(context: SensorEvaluationContext, alert_destinations: AlertDestinations):
        cursor = EventCursor.parse(context.cursor)
        records = new_records(context.instance, event_type, cursor, lookback_hours)
        alerts, failing = decide(read(context.instance, records), cursor.failing, ui_base_url)
        for alert in alerts:
            _deliver(context, alert_destinations, alert)
        cursor = cursor.advanced(positions_of(records), failing, now=time.time())
        counts = {"read": len(records), "sent": len(alerts), "failing": len(failing)}
        return SensorResult(cursor=cursor.dump(), skip_reason=SkipReason(summary.format(**counts)))

    return state_change_sensor


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


__all__ = ["RESOURCE_KEY", "build_alert_sensors"]
