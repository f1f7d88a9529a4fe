"""Square's side of a parity check: which of a report's members ``/v1/meta`` lists now, the Cube query for the
run's business days, and its answer as totals per report key in the mart's units (money in minor units).

Nothing is assumed about Square's schema: a measure meta no longer lists is left out of the query (and reported as
skipped); a report whose key members (location, local time, its dimensions) are not all listed is not compared.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from square.types.cube import Cube

from square_sales.reports.specs import LOCATION_DIMENSION, TIME_DIMENSION, ReportSpec

# Currencies whose minor unit is not a hundredth (ISO 4217); every other has two decimals.
ZERO_DECIMAL_CURRENCIES = [
    "BIF",
    "CLP",
    "DJF",
    "GNF",
    "ISK",
    "JPY",
    "KMF",
    "KRW",
    "PYG",
    "RWF",
    "UGX",
    "VND",
    "VUV",
    "XAF",
    "XOF",
    "XPF",
]
THREE_DECIMAL_CURRENCIES = ["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"]
MINOR_UNIT_EXPONENTS = {
    **dict.fromkeys(ZERO_DECIMAL_CURRENCIES, 0),
    **dict.fromkeys(THREE_DECIMAL_CURRENCIES, 3),
}
MONEY_FORMAT = "currency"

# (location_id, business day, [local hour], *dimension values): one row of a report.
ReportKey = tuple
Totals = dict[ReportKey, dict[str, Decimal]]  # key -> measure (mart column) -> value in the mart's units


@dataclass(frozen=True)
class ComparedMeasure:
    column: str  # the mart's column, the view's measure short name
    member: str  # the view's member, e.g. Sales.net_sales
    minor_unit_exponent: int | None  # money: answers are in major units (dollars); None: a count or quantity

    def mart_units(self, answered: str) -> Decimal:
        value = Decimal(answered)
        return value if self.minor_unit_exponent is None else value.scaleb(self.minor_unit_exponent)


@dataclass(frozen=True)
class SquareReport:
    """What of a report can be compared now, given what ``/v1/meta`` lists."""

    spec: ReportSpec
    measures: tuple[ComparedMeasure, ...]
    not_listed: tuple[str, ...]  # members of the spec that meta does not list (skipped)
    comparable: bool  # False when a key member (or every measure) is not listed
    last_refresh: datetime | None  # the view's data freshness, as meta tells it

    def query(self, first: date, last: date) -> dict[str, Any]:
        """The Cube query for business days first..last (both whole days, on each location's clock)."""
        spec = self.spec
        dimensions = [spec.member(LOCATION_DIMENSION), *(spec.member(name) for name in spec.dimensions)]
        return {
            "measures": [measure.member for measure in self.measures],
            "dimensions": dimensions,
            "timeDimensions": [
                {
                    "dimension": spec.member(TIME_DIMENSION),
                    "granularity": spec.granularity,
                    "dateRange": [first.isoformat(), last.isoformat()],
                }
            ],
            # A stable order, so that paging with offset neither skips nor repeats a row.
            "order": [[self._time_key(), "asc"], *([member, "asc"] for member in dimensions)],
        }

    def totals(self, rows: list[dict[str, Any]]) -> Totals:
        """The answer's rows by report key, measures in the mart's units."""
        spec = self.spec
        totals: Totals = {}
        for row in rows:
            moment = datetime.fromisoformat(row[self._time_key()])
            key = (
                row[spec.member(LOCATION_DIMENSION)],
                moment.date(),
                *((moment.hour,) if spec.by_hour else ()),
                *(row.get(spec.member(name)) for name in spec.dimensions),
            )
            found = totals.setdefault(key, dict.fromkeys((m.column for m in self.measures), Decimal(0)))
            for measure in self.measures:
                found[measure.column] += measure.mart_units(row.get(measure.member) or "0")
        return totals

    def _time_key(self) -> str:
        return f"{self.spec.member(TIME_DIMENSION)}.{self.spec.granularity}"


def square_report(spec: ReportSpec, views: Mapping[str, Cube]) -> SquareReport:
    """The members of ``spec`` that ``/v1/meta`` (``views``) lists; the rest are named in ``not_listed``."""
    view = views.get(spec.view)
    if view is None:
        return SquareReport(spec, (), (spec.view,), comparable=False, last_refresh=None)
    listed_dimensions = {dimension.name for dimension in view.dimensions}
    keys = [spec.member(name) for name in (LOCATION_DIMENSION, TIME_DIMENSION, *spec.dimensions)]
    missing_keys = tuple(member for member in keys if member not in listed_dimensions)
    measures_by_name = {measure.name: measure for measure in view.measures}
    measures, not_listed = [], list(missing_keys)
    for column in spec.measures:
        measure = measures_by_name.get(spec.member(column))
        if measure is None:
            not_listed.append(spec.member(column))
            continue
        money = measure.format == MONEY_FORMAT
        exponent = MINOR_UNIT_EXPONENTS.get((measure.currency or "").upper(), 2) if money else None
        measures.append(ComparedMeasure(column, measure.name, exponent))
    refreshed = (view.meta or {}).get("lastRefreshTime")
    return SquareReport(
        spec,
        tuple(measures),
        tuple(not_listed),
        comparable=bool(measures) and not missing_keys,
        last_refresh=datetime.fromisoformat(refreshed) if refreshed else None,
    )
