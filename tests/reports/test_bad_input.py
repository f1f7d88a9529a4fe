"""What Square may answer that is not a plain answer: a measure or a view /v1/meta no longer lists, a query that
keeps saying "Continue wait", rate limits, a token Square refuses. The parity checks say so; the run goes on."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time

import pytest

from tests.reports.support import evaluations, run_parity, spec_of

pytestmark = pytest.mark.slow

DAY = dt.date(2026, 10, 14)


def _metadata(evaluation) -> dict:
    return {name: value.value for name, value in evaluation.metadata.items()}


def test_a_measure_meta_no_longer_lists_is_skipped_with_a_warning_naming_it(built):
    summary = spec_of("daily_sales_by_location")
    retired = dataclasses.replace(summary, measures=(*summary.measures, "retired_measure"))
    result = run_parity(built, DAY, DAY, [retired])
    evaluation = evaluations(result)["daily_sales_by_location"]
    metadata = _metadata(evaluation)
    assert evaluation.passed, metadata["differences"]
    assert metadata["not_listed_by_square"] == "Sales.retired_measure"
    assert "Sales.retired_measure" not in metadata["measures_compared"]
    assert "Sales.net_sales" in metadata["measures_compared"]
    warnings = [
        entry.user_message
        for entry in built.instance.all_logs(result.run_id)
        if entry.level >= 30 and "no longer lists" in entry.user_message
    ]
    assert warnings == [
        "Square's Reporting API (/v1/meta) no longer lists Sales.retired_measure: daily_sales_by_location is "
        "compared without it."
    ]


def test_a_view_meta_no_longer_lists_is_not_compared_and_says_so(built):
    gone = dataclasses.replace(spec_of("daily_discounts_by_location"), view="DiscountsRetired")
    evaluation = evaluations(run_parity(built, DAY, DAY, [gone]))["daily_discounts_by_location"]
    assert evaluation.passed
    assert evaluation.description.startswith(
        "Not compared: Square's Reporting API (/v1/meta) no longer lists DiscountsRetired"
    )


def test_a_query_still_running_is_asked_again_and_rate_limits_are_waited_out(built, chain):
    chain.set_reporting(continue_wait_polls=2)
    chain.set_faults(rate_limited=0.3, retry_after_seconds=1)
    try:
        found = evaluations(run_parity(built, DAY, DAY, [spec_of("daily_item_sales_by_location")]))
    finally:
        chain.set_reporting()
        chain.set_faults()
    assert found["daily_item_sales_by_location"].passed


def test_continue_wait_that_never_resolves_fails_the_check_after_a_bounded_wait(built, chain):
    chain.set_reporting(continue_wait_polls=-1)
    started = time.monotonic()
    try:
        found = evaluations(
            run_parity(built, DAY, DAY, [spec_of("daily_modifier_sales_by_location")], retry_max_seconds=4)
        )
    finally:
        chain.set_reporting()
    assert time.monotonic() - started < 30
    evaluation = found["daily_modifier_sales_by_location"]
    assert not evaluation.passed
    assert evaluation.description.startswith(
        "Square's Reporting API still answered 'Continue wait' after "
    ), evaluation.description
    assert "for a query on ModifierSales (wait budget 4s, SQUARE_RETRY_MAX_SECONDS)" in evaluation.description


def test_a_token_square_refuses_fails_every_check_with_squares_message(built):
    found = evaluations(run_parity(built, DAY, DAY, token="revoked"))
    assert len(found) == 8
    for evaluation in found.values():
        assert not evaluation.passed
        assert "Square's Reporting API refused the access token" in evaluation.description
        assert "REPORTING_READ" in evaluation.description
        assert "revoked" not in evaluation.description


def test_a_token_without_reporting_read_fails_every_check_with_squares_message(built, chain):
    # Square answers 403 INSUFFICIENT_SCOPES to a token that lacks the permission (the sandbox's scopes switch).
    chain.set_scopes(denied=["REPORTING_READ"])
    try:
        found = evaluations(run_parity(built, DAY, DAY))
    finally:
        chain.set_scopes()
    assert len(found) == 8
    for evaluation in found.values():
        assert not evaluation.passed
        assert "403" in evaluation.description and "REPORTING_READ" in evaluation.description
