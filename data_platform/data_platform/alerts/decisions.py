"""What to alert, given what happened: pure functions over plain dataclasses, no instance, no network.

The sensors read events from the instance into these dataclasses, call one function, and deliver what it returns.

No storms: the check and stale decisions are given what was failing before (``failing``, kept in the sensor's
cursor) and return it updated. A key alerts once when it starts failing (and, for freshness, when it moves
between WARN and FAIL) and once more when it recovers; a repeat of the same state says nothing.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from dagster import AssetCheckSeverity, AssetKey, MetadataValue

from data_platform.alerts.messages import Alert, Severity, asset_link, run_link

# -- run failures -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepFailure:
    step_key: str | None
    error: str | None = None  # the step's error message, when it carries one


@dataclass(frozen=True)
class FailedRun:
    run_id: str
    job_name: str
    code_location: str
    partition: str | None = None
    assets: tuple[str, ...] = ()  # the run's asset selection, in the order to show it
    failure_message: str | None = None  # the run-failure event's own message


def run_failure_alert(run: FailedRun, step_failures: Sequence[StepFailure], ui_base_url: str) -> Alert:
    """Every failed run alerts: what failed is the first step error, else the run's own failure message."""
    errors = [failure.error.strip() for failure in step_failures if failure.error is not None]
    figures = {"Job": run.job_name, "Run": run.run_id}
    if step_failures:
        figures["Failed steps"] = ", ".join(sorted({failure.step_key or "?" for failure in step_failures}))
    return Alert(
        severity=Severity.ERROR,
        headline=f"Run failed: {run.job_name}",
        code_location=run.code_location,
        subject=f"job {run.job_name}" + (f" ({', '.join(run.assets)})" if run.assets else ""),
        partition=run.partition,
        what_failed=errors[0] if errors else (run.failure_message or "the run failed"),
        figures=figures,
        link=run_link(ui_base_url, run.run_id),
        dedup_key=f"run:{run.run_id}",
    )


# -- state changes: one loop for checks and freshness -----------------------------------------------------------


class _StateChange(Protocol):
    @property
    def key(self) -> str:
        """What has one failing state: a (check, partition), an asset."""


Event = TypeVar("Event", bound=_StateChange)
# (event, the key's failing state before it (None: not failing), UI base URL) -> (its alert if any, state after)
Step = Callable[[Event, str | None, str], tuple[Alert | None, str | None]]


def _follow(
    events: Iterable[Event], failing: Mapping[str, str], step: Step, ui_base_url: str
) -> tuple[list[Alert], dict[str, str]]:
    failing = dict(failing)
    alerts = []
    for event in events:
        alert, state = step(event, failing.get(event.key), ui_base_url)
        if state is None:
            failing.pop(event.key, None)
        else:
            failing[event.key] = state
        if alert is not None:
            alerts.append(alert)
    return alerts, failing


# -- failed asset checks ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckEvaluation:
    asset_key: AssetKey
    check_name: str
    passed: bool
    code_location: str
    severity: AssetCheckSeverity = AssetCheckSeverity.ERROR
    partition: str | None = None  # the evaluation's partition, else its run's
    run_id: str | None = None
    description: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """Alerts are per (check, partition): one failing partition does not hide another."""
        return f"{self.asset_key.to_user_string()}|{self.check_name}|{self.partition or ''}"


def _check_step(
    evaluation: CheckEvaluation, was: str | None, ui_base_url: str
) -> tuple[Alert | None, str | None]:
    if evaluation.passed == (was is None):
        return None, was  # no change: still passing, or still failing (already alerted)
    if evaluation.passed:
        severity, headline = Severity.RECOVERED, "Check passes again"
        what = f"{evaluation.check_name} passes again (it was failing with {was})."
        state = None
    else:
        severity = Severity.ERROR if evaluation.severity == AssetCheckSeverity.ERROR else Severity.WARN
        headline, what = "Check failed", evaluation.description or f"{evaluation.check_name} failed"
        state = severity.value
    asset = evaluation.asset_key.to_user_string()
    subject = f"{asset} · {evaluation.check_name}"
    alert = Alert(
        severity=severity,
        headline=f"{headline}: {subject}",
        code_location=evaluation.code_location,
        subject=subject,
        partition=evaluation.partition,
        what_failed=what,
        figures=figures_of(evaluation.metadata),
        link=run_link(ui_base_url, evaluation.run_id)
        if evaluation.run_id
        else asset_link(ui_base_url, evaluation.asset_key.path, evaluation.check_name),
        dedup_key=evaluation.key,
    )
    return alert, state


def check_alerts(
    evaluations: Iterable[CheckEvaluation], failing: Mapping[str, str], ui_base_url: str
) -> tuple[list[Alert], dict[str, str]]:
    """Alerts for checks that start failing or pass again, and what is failing after (key -> severity)."""
    return _follow(evaluations, failing, _check_step, ui_base_url)


def figures_of(metadata: Mapping[str, Any]) -> dict[str, str]:
    """A check's own metadata as text figures; Dagster's ``dagster/...`` entries are left out."""
    figures = {}
    for name, value in metadata.items():
        if name.startswith("dagster/"):
            continue
        raw = value.value if isinstance(value, MetadataValue) else value
        figures[name] = raw if isinstance(raw, str) else json.dumps(raw, default=str)
    return figures


# -- stale assets -----------------------------------------------------------------------------------------------

# Freshness states by their values ("PASS", "WARN", "FAIL", "UNKNOWN", "NOT_APPLICABLE"): Dagster's FreshnessState
# enum is not public API in dagster 1.13, and it is a str enum, so its values are what we keep and compare.
FRESH = "PASS"
STALE_SEVERITIES = {"WARN": Severity.WARN, "FAIL": Severity.ERROR}


@dataclass(frozen=True)
class FreshnessChange:
    asset_key: AssetKey
    previous_state: str
    new_state: str
    code_location: str  # of the asset's latest materialization
    last_materialized_at: float | None = None  # epoch seconds; None: never materialized

    @property
    def key(self) -> str:
        return self.asset_key.to_user_string()


def _freshness_step(
    change: FreshnessChange, was: str | None, ui_base_url: str
) -> tuple[Alert | None, str | None]:
    if change.new_state in STALE_SEVERITIES and change.new_state != was:
        severity, headline = STALE_SEVERITIES[change.new_state], "Asset is stale"
        what, state = f"freshness policy is {change.new_state}", change.new_state
    elif change.new_state == FRESH and was is not None:
        severity, headline = Severity.RECOVERED, "Asset is fresh again"
        what, state = f"freshness policy passes again (was {was})", None
    else:
        return None, was  # no change, or a state (UNKNOWN, NOT_APPLICABLE) that says nothing new
    last_update = (
        time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(change.last_materialized_at))
        if change.last_materialized_at is not None
        else "never"
    )
    alert = Alert(
        severity=severity,
        headline=f"{headline}: {change.key}",
        code_location=change.code_location,
        subject=change.key,
        what_failed=what,
        figures={
            "Freshness": f"{change.previous_state} → {change.new_state}",
            "Last materialization": last_update,
        },
        link=asset_link(ui_base_url, change.asset_key.path),
        dedup_key=f"freshness:{change.key}",
    )
    return alert, state


def freshness_alerts(
    changes: Iterable[FreshnessChange], failing: Mapping[str, str], ui_base_url: str
) -> tuple[list[Alert], dict[str, str]]:
    """Alerts for assets that turn WARN or FAIL, or fresh again, and what is stale after (key -> state)."""
    return _follow(changes, failing, _freshness_step, ui_base_url)
