"""Comparing a report mart with Square's answer, store-day by store-day and measure by measure, exactly (money in
minor units, counts and quantities as numbers).

A store-day is compared only when both sides can hold the same data: one that ends after Square's data was
refreshed (Square's data freshness, from the answer's ``lastRefreshTime``) is skipped, and so is one whose data
in the lake changed after that refresh (the mart is ahead of Square's report until its next refresh).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from square_sales.partitions import business_day_bounds, business_day_of
from square_sales.reports.mart_side import StoreDay
from square_sales.reports.square_side import ReportKey, SquareReport, Totals


@dataclass(frozen=True)
class Difference:
    key: ReportKey  # (location_id, day, [hour], *dimension values)
    measure: str
    mart: Decimal
    square: Decimal

    @property
    def store_day(self) -> StoreDay:
        return self.key[0], self.key[1]


@dataclass(frozen=True)
class Comparison:
    report: SquareReport
    first: date
    last: date
    data_as_of: datetime | None
    compared: list[StoreDay]
    skipped: dict[StoreDay, str] = field(default_factory=dict)  # store-day -> why
    differences: list[Difference] = field(default_factory=list)

    @property
    def differing_store_days(self) -> list[StoreDay]:
        return sorted({difference.store_day for difference in self.differences})


def each_store_day(location_ids: list[str], first: date, last: date) -> list[StoreDay]:
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return [(location_id, day) for location_id in sorted(location_ids) for day in days]


def skipped_store_days(
    store_days: list[StoreDay],
    timezones: dict[str, str],
    data_as_of: datetime | None,
    changed_later: set[StoreDay],
) -> dict[StoreDay, str]:
    """The store-days Square's report data cannot settle yet, and why."""
    if data_as_of is None:
        return {}
    as_of = data_as_of.isoformat(timespec="seconds")
    skipped = {}
    for location_id, day in store_days:
        _, end = business_day_bounds(day, timezones[location_id])
        if end > data_as_of:
            skipped[(location_id, day)] = f"not over when Square's report data was refreshed ({as_of})"
        elif (location_id, day) in changed_later:
            skipped[(location_id, day)] = f"the lake holds changes made after Square's data refresh ({as_of})"
    return skipped


def compare(
    report: SquareReport,
    square: Totals,
    mart: Totals,
    store_days: list[StoreDay],
    skipped: dict[StoreDay, str],
    first: date,
    last: date,
    data_as_of: datetime | None,
) -> Comparison:
    differences = []
    for key in sorted(square.keys() | mart.keys(), key=repr):
        if (key[0], key[1]) in skipped:
            continue
        for measure in report.measures:
            on_square = square.get(key, {}).get(measure.column, Decimal(0))
            in_mart = mart.get(key, {}).get(measure.column, Decimal(0))
            if on_square != in_mart:
                differences.append(Difference(key, measure.column, in_mart, on_square))
    compared = [store_day for store_day in store_days if store_day not in skipped]
    return Comparison(report, first, last, data_as_of, compared, skipped, differences)


def raw_partitions_of(store_day: StoreDay, timezone: str, reporting_timezone: str) -> list[str]:
    """The raw partitions (business days in the reporting zone) holding a store's local day: re-pulling them
    brings in whatever Square changed for it."""
    start, end = business_day_bounds(store_day[1], timezone)
    first, last = business_day_of(start, reporting_timezone), business_day_of(end, reporting_timezone)
    if business_day_bounds(last, reporting_timezone)[0] == end:
        last -= timedelta(days=1)  # the local day ends exactly where that raw day begins
    return [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]
