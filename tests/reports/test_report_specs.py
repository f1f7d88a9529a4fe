"""The pure parts of the parity check: which marts are reports and how they are declared, money in minor units,
and which raw partitions hold a store's local day."""

from __future__ import annotations

import datetime as dt

import pytest

from square_sales.reports.parity import raw_partitions_of
from square_sales.reports.specs import ReportSpecError, report_specs
from square_sales.reports.square_side import ComparedMeasure
from square_sales.transform.manifest import DbtManifest
from tests.reports.support import SPECS, spec_of

SALES_MEASURES = (
    "order_count",
    "gross_sales",
    "returns",
    "discounts",
    "net_sales",
    "tax",
    "tips",
    "refunds",
    "total_collected",
    "fees",
    "net_total",
)


def test_every_report_mart_declares_the_view_it_mirrors():
    declared = {spec.model: (spec.view, spec.dimensions, spec.granularity) for spec in SPECS}
    assert declared == {
        "daily_sales_by_location": ("Sales", (), "day"),
        "daily_item_sales_by_location": ("ItemSales", ("item_variation_id",), "day"),
        "daily_category_sales_by_location": ("ItemSales", ("category_id",), "day"),
        "daily_payment_methods_by_location": ("Sales", ("tender_type", "card_brand"), "day"),
        "daily_discounts_by_location": ("Discounts", ("discount_id",), "day"),
        "daily_team_sales_by_location": ("Sales", ("team_member_id",), "day"),
        "hourly_sales_by_location": ("Sales", (), "hour"),
        "daily_modifier_sales_by_location": ("ModifierSales", ("modifier_id",), "day"),
    }
    assert spec_of("hourly_sales_by_location").measures == SALES_MEASURES
    assert spec_of("daily_sales_by_location").relation == "marts.daily_sales_by_location"


def _manifest(meta: object) -> DbtManifest:
    node = {
        "name": "daily_broken_report",
        "resource_type": "model",
        "schema": "marts",
        "alias": "daily_broken_report",
        "config": {"schema": "marts", "materialized": "table", "meta": {"square_reporting_api": meta}},
    }
    return DbtManifest({"nodes": {"model.square_sales.daily_broken_report": node}})


@pytest.mark.parametrize(
    ("meta", "names"),
    [
        ("Sales", "meta.square_reporting_api must be a mapping"),
        ({"measures": ["net_sales"]}, "meta.square_reporting_api.view must be"),
        ({"view": "Sales", "measures": []}, "meta.square_reporting_api.measures must be a non-empty list"),
        ({"view": "Sales", "measures": ["net_sales"], "dimensions": "team"}, ".dimensions must be a list"),
        (
            {"view": "Sales", "measures": ["net_sales"], "granularity": "week"},
            ".granularity must be one of day",
        ),
    ],
)
def test_a_malformed_declaration_names_the_model_and_the_field(meta, names):
    with pytest.raises(ReportSpecError, match="dbt model daily_broken_report") as raised:
        report_specs(_manifest(meta))
    assert names in str(raised.value)


@pytest.mark.parametrize(
    ("answered", "exponent", "minor_units"),
    [
        ("12.34", 2, 1234),
        ("-0.05", 2, -5),
        ("1234", 0, 1234),
        ("1.234", 3, 1234),
        ("7", None, 7),
        ("2.5", None, 2.5),
    ],
)
def test_square_answers_in_major_units_compare_in_minor_units(answered, exponent, minor_units):
    measure = ComparedMeasure("net_sales", "Sales.net_sales", exponent)
    assert measure.mart_units(answered) == minor_units


@pytest.mark.parametrize(
    ("timezone", "day", "partitions"),
    [
        # The reporting zone's own stores: their day is one raw partition.
        ("America/New_York", dt.date(2026, 10, 12), ["2026-10-12"]),
        # West of it, the evening falls on the next raw day; east of it, the early morning on the previous one.
        ("America/Los_Angeles", dt.date(2026, 10, 12), ["2026-10-12", "2026-10-13"]),
        ("Europe/London", dt.date(2026, 10, 12), ["2026-10-11", "2026-10-12"]),
        # A day of 25 hours (clocks go back) in the same zone is still one raw day.
        ("America/New_York", dt.date(2026, 11, 1), ["2026-11-01"]),
    ],
)
def test_the_raw_partitions_holding_a_stores_local_day(timezone, day, partitions):
    assert raw_partitions_of(("L1", day), timezone, "America/New_York") == partitions
