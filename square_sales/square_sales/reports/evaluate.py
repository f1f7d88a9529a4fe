"""One run of the parity checks: ask Square first (``/v1/meta``, the locations, one query per report), then read
the marts and compare, one result per report. Imported only when the checks run (loads the Square SDK).

Square failing to answer (a token without REPORTING_READ, a query that never finishes, Square down) fails the
checks it concerns with Square's message; the run itself goes on.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import duckdb
from dagster import AssetCheckExecutionContext, AssetCheckResult

from data_platform.redaction import redact
from data_platform.resources.warehouse import WarehouseResource
from square_sales.gold.tables import BusinessDays
from square_sales.ingestion.client import SquareApiError
from square_sales.ingestion.resource import SquareClientResource
from square_sales.reports.mart_side import StoreDay, changed_after, mart_totals
from square_sales.reports.parity import Comparison, compare, each_store_day, skipped_store_days
from square_sales.reports.reporting_api import ReportingApi
from square_sales.reports.results import comparison_result, error_result, not_compared_result
from square_sales.reports.specs import ReportSpec
from square_sales.reports.square_side import SquareReport, Totals, square_report

# Days one Reporting API query covers: a long range can keep Square computing ("Continue wait") for too long.
DAYS_PER_QUERY = 31


@dataclass(frozen=True)
class SquareAnswer:
    report: SquareReport
    totals: Totals | None = None
    data_as_of: datetime | None = None
    error: str | None = None


def evaluate_reports(
    context: AssetCheckExecutionContext,
    square: SquareClientResource,
    warehouse: WarehouseResource,
    specs: list[ReportSpec],
    days: BusinessDays,
    reporting_timezone: str,
) -> Iterator[AssetCheckResult]:
    try:
        timezones, answers = ask_square(context, square, specs, days, reporting_timezone)
    except SquareApiError as error:
        message = redact(str(error))
        context.log.error(message)
        for spec in specs:
            yield error_result(spec, message)
        return
    store_days = each_store_day(list(timezones), days.first, days.last)
    with warehouse.get_connection(read_only=True) as connection:
        for spec in specs:
            answer = answers[spec.model]
            if answer.error is not None:
                yield error_result(spec, answer.error)
            elif answer.totals is None:
                yield not_compared_result(spec, answer.report.not_listed)
            else:
                comparison = compare_with_mart(connection, spec, answer, days, store_days, timezones)
                yield comparison_result(spec, comparison, timezones, reporting_timezone)


def compare_with_mart(
    connection: duckdb.DuckDBPyConnection,
    spec: ReportSpec,
    answer: SquareAnswer,
    days: BusinessDays,
    store_days: list[StoreDay],
    timezones: dict[str, str],
) -> Comparison:
    # Square answered as of its last refresh: compare only what it can have seen by then.
    as_of = answer.data_as_of or datetime.now(UTC)
    skipped = skipped_store_days(
        store_days, timezones, as_of, changed_after(connection, days.first, days.last, as_of)
    )
    columns = [measure.column for measure in answer.report.measures]
    mart = mart_totals(connection, spec, columns, days.first, days.last)
    return compare(
        answer.report, answer.totals or {}, mart, store_days, skipped, days.first, days.last, as_of
    )


def ask_square(
    context: AssetCheckExecutionContext,
    square: SquareClientResource,
    specs: list[ReportSpec],
    days: BusinessDays,
    reporting_timezone: str,
) -> tuple[dict[str, str], dict[str, SquareAnswer]]:
    """Every store's time zone and Square's answer for each report. Raises SquareApiError when Square cannot be
    asked at all (``/v1/meta`` or the locations refused)."""
    with square.open() as api:
        reporting = ReportingApi(api, wait_seconds=square.retry_max_seconds)
        views = reporting.views()
        timezones = {
            location["id"]: location.get("timezone") or reporting_timezone
            for location in api.list_locations()
        }
        answers = {}
        for spec in specs:
            report = square_report(spec, views)
            if report.not_listed:
                missing = "it" if len(report.not_listed) == 1 else "them"
                consequence = f"compared without {missing}" if report.comparable else "not compared"
                context.log.warning(
                    f"Square's Reporting API (/v1/meta) no longer lists {', '.join(report.not_listed)}: "
                    f"{spec.model} is {consequence}."
                )
            answers[spec.model] = _ask(reporting, report, days)
    return timezones, answers


def _ask(reporting: ReportingApi, report: SquareReport, days: BusinessDays) -> SquareAnswer:
    """Square's totals for the days, a month per query (Square asks for narrow date ranges)."""
    if not report.comparable:
        return SquareAnswer(report)
    totals: Totals = {}
    refreshes = []
    try:
        for first, last in _periods(days):
            loaded = reporting.load(report.query(first, last))
            totals.update(report.totals(loaded.rows))
            refreshes.append(loaded.last_refresh or report.last_refresh)
    except SquareApiError as error:
        return SquareAnswer(report, error=redact(str(error)))
    # The earliest refresh of the answers: what all of them had seen.
    known = [refresh for refresh in refreshes if refresh is not None]
    return SquareAnswer(report, totals, min(known) if known else None)


def _periods(days: BusinessDays) -> list[tuple[date, date]]:
    periods, first = [], days.first
    while first <= days.last:
        last = min(days.last, first + timedelta(days=DAYS_PER_QUERY - 1))
        periods.append((first, last))
        first = last + timedelta(days=1)
    return periods
