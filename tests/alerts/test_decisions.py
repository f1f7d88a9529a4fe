"""What to alert, decided from plain events: no instance, no network."""

from __future__ import annotations

import calendar

import pytest
from dagster import AssetCheckSeverity, AssetKey, MetadataValue

from data_platform.alerts.decisions import (
    CheckEvaluation,
    FailedRun,
    FreshnessChange,
    StepFailure,
    check_alerts,
    freshness_alerts,
    run_failure_alert,
)
from data_platform.alerts.messages import Severity

UI = "https://dagster.retail.example"
ORDERS = AssetKey(["square", "raw", "orders"])


# -- run failures -----------------------------------------------------------------------------------------------


def test_a_failed_run_names_its_job_assets_partition_and_first_step_error():
    run = FailedRun(
        run_id="r-1",
        job_name="raw_quality",
        code_location="square_sales",
        partition="2026-11-18",
        assets=("square/raw/orders", "square/raw/payments"),
        failure_message="Execution of run for raw_quality failed.",
    )
    alert = run_failure_alert(
        run,
        [
            StepFailure("orders_checks", "  2 duplicate ids \n"),
            StepFailure("payments_checks"),
            StepFailure(None),
        ],
        UI,
    )
    assert alert.severity is Severity.ERROR
    assert alert.title == "[ERROR] Run failed: raw_quality"
    assert alert.code_location == "square_sales"
    assert alert.subject == "job raw_quality (square/raw/orders, square/raw/payments)"
    assert alert.partition == "2026-11-18"
    assert alert.what_failed == "2 duplicate ids"
    assert alert.figures == {
        "Job": "raw_quality",
        "Run": "r-1",
        "Failed steps": "?, orders_checks, payments_checks",
    }
    assert alert.link == f"{UI}/runs/r-1"
    assert alert.dedup_key == "run:r-1"


@pytest.mark.parametrize(
    ("failure_message", "what_failed"),
    [("Run worker was killed.", "Run worker was killed."), (None, "the run failed")],
)
def test_a_run_without_a_step_error_says_the_run_failure_message(failure_message, what_failed):
    run = FailedRun(
        run_id="r-2", job_name="pull", code_location="square_sales", failure_message=failure_message
    )
    alert = run_failure_alert(run, [], UI)
    assert alert.what_failed == what_failed
    assert alert.subject == "job pull"
    assert "Failed steps" not in alert.figures


# -- failed asset checks ----------------------------------------------------------------------------------------


def evaluation(passed: bool, partition: str | None = "2026-11-18", **overrides) -> CheckEvaluation:
    fields = {
        "asset_key": ORDERS,
        "check_name": "no_duplicate_ids",
        "passed": passed,
        "code_location": "square_sales",
        "partition": partition,
        "run_id": "r-1",
        "description": "2 order id(s) appear more than once",
        "metadata": {"duplicate_ids": MetadataValue.int(2), "ids": ["a", "b"], "dagster/row_count": 8},
    }
    return CheckEvaluation(**{**fields, **overrides})


KEY = "square/raw/orders|no_duplicate_ids|2026-11-18"


def test_a_check_that_starts_failing_alerts_once_with_its_figures():
    alerts, failing = check_alerts([evaluation(False), evaluation(False)], {}, UI)
    (alert,) = alerts
    assert alert.title == "[ERROR] Check failed: square/raw/orders · no_duplicate_ids"
    assert alert.subject == "square/raw/orders · no_duplicate_ids"
    assert alert.partition == "2026-11-18"
    assert alert.what_failed == "2 order id(s) appear more than once"
    assert alert.figures == {"duplicate_ids": "2", "ids": '["a", "b"]'}  # Dagster's own entries left out
    assert alert.link == f"{UI}/runs/r-1"
    assert alert.dedup_key == KEY
    assert failing == {KEY: "ERROR"}


def test_a_check_still_failing_is_quiet_and_one_passing_again_recovers():
    alerts, failing = check_alerts([evaluation(False)], {KEY: "WARN"}, UI)
    assert (alerts, failing) == ([], {KEY: "WARN"})

    (alert,), failing = check_alerts([evaluation(True)], {KEY: "WARN"}, UI)
    assert alert.severity is Severity.RECOVERED
    assert alert.title == "[RECOVERED] Check passes again: square/raw/orders · no_duplicate_ids"
    assert alert.what_failed == "no_duplicate_ids passes again (it was failing with WARN)."
    assert failing == {}

    assert check_alerts([evaluation(True)], {}, UI) == ([], {})  # passing, and was passing


def test_check_alerts_leave_the_given_state_untouched():
    before = {KEY: "ERROR"}
    check_alerts([evaluation(True)], before, UI)
    assert before == {KEY: "ERROR"}


def test_each_partition_of_a_check_fails_on_its_own():
    alerts, failing = check_alerts(
        [evaluation(False, "2026-11-18"), evaluation(False, "2026-11-19"), evaluation(False, None)], {}, UI
    )
    assert [a.partition for a in alerts] == ["2026-11-18", "2026-11-19", None]
    assert sorted(failing) == [
        "square/raw/orders|no_duplicate_ids|",
        "square/raw/orders|no_duplicate_ids|2026-11-18",
        "square/raw/orders|no_duplicate_ids|2026-11-19",
    ]


def test_a_warn_check_without_a_run_or_description_links_to_the_check():
    (alert,), failing = check_alerts(
        [evaluation(False, severity=AssetCheckSeverity.WARN, run_id=None, description=None, metadata={})],
        {},
        UI,
    )
    assert alert.severity is Severity.WARN
    assert alert.what_failed == "no_duplicate_ids failed"
    assert alert.link == f"{UI}/assets/square/raw/orders?view=checks&checkDetail=no_duplicate_ids"
    assert failing == {KEY: "WARN"}


# -- stale assets -----------------------------------------------------------------------------------------------

MATERIALIZED = calendar.timegm((2026, 11, 18, 6, 30, 0))


def change(previous: str, new: str, last_materialized_at: float | None = MATERIALIZED) -> FreshnessChange:
    return FreshnessChange(ORDERS, previous, new, "square_sales", last_materialized_at)


def test_an_asset_turning_stale_alerts_with_its_last_materialization():
    (alert,), failing = freshness_alerts([change("PASS", "FAIL")], {}, UI)
    assert alert.title == "[ERROR] Asset is stale: square/raw/orders"
    assert alert.code_location == "square_sales"
    assert alert.what_failed == "freshness policy is FAIL"
    assert alert.figures == {"Freshness": "PASS → FAIL", "Last materialization": "2026-11-18 06:30:00 UTC"}
    assert alert.link == f"{UI}/assets/square/raw/orders"
    assert alert.dedup_key == "freshness:square/raw/orders"
    assert failing == {"square/raw/orders": "FAIL"}


def test_stale_alerts_follow_warn_fail_and_pass_once_each():
    changes = [
        change("PASS", "WARN", None),
        change("WARN", "WARN"),  # the same state again: quiet
        change("WARN", "FAIL"),
        change("FAIL", "UNKNOWN"),  # says nothing new: still FAIL
        change("UNKNOWN", "PASS"),
        change("PASS", "PASS"),  # fresh, and was fresh: quiet
    ]
    alerts, failing = freshness_alerts(changes, {}, UI)
    assert [(a.severity, a.what_failed) for a in alerts] == [
        (Severity.WARN, "freshness policy is WARN"),
        (Severity.ERROR, "freshness policy is FAIL"),
        (Severity.RECOVERED, "freshness policy passes again (was FAIL)"),
    ]
    assert alerts[0].figures["Last materialization"] == "never"
    assert alerts[2].title == "[RECOVERED] Asset is fresh again: square/raw/orders"
    assert failing == {}
