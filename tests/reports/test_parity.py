"""Every report mart equals Square's Reporting API (the sandbox's, computed from its own orders, not from the
marts' SQL) for every store-day of a three-week chain; the parity check names what differs when a mart drifts,
and skips the store-days Square has not refreshed yet instead of failing them."""

from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import duckdb
import pytest

from tests.reports.conftest import FIRST_DAY, LAST_DAY
from tests.reports.support import SPECS, evaluations, run_parity, spec_of

pytestmark = pytest.mark.slow

REPORT_MARTS = {
    "daily_sales_by_location",
    "daily_item_sales_by_location",
    "daily_category_sales_by_location",
    "daily_payment_methods_by_location",
    "daily_discounts_by_location",
    "daily_team_sales_by_location",
    "hourly_sales_by_location",
    "daily_modifier_sales_by_location",
}
STORES = 3


def test_every_report_mart_equals_squares_reporting_api_for_every_store_day(built):
    assert {spec.model for spec in SPECS} == REPORT_MARTS
    # Two weeks before the chain opened too (nothing on either side): over a month, two queries per report.
    first = FIRST_DAY - dt.timedelta(days=14)
    found = evaluations(run_parity(built, first, LAST_DAY))
    assert set(found) == REPORT_MARTS
    complete_days = (LAST_DAY - first).days  # the clock's own day is not over yet
    for spec in SPECS:
        evaluation = found[spec.model]
        metadata = {name: value.value for name, value in evaluation.metadata.items()}
        assert evaluation.passed, (spec.model, evaluation.description, metadata["differences"])
        assert metadata["store_days_compared"] == STORES * complete_days, spec.model
        assert metadata["store_days_skipped"] == STORES, spec.model  # today, everywhere
        assert metadata["measures_compared"] == ", ".join(spec.member(m) for m in spec.measures)
        assert "not_listed_by_square" not in metadata


def test_the_chain_has_what_the_reports_are_about(built):
    """The scenario exercises every report: offline uploads, refunds and returns, discounts given and given back,
    modifiers, every tender, several team members and time zones."""
    one = lambda sql: built.query(sql)[0][0]  # noqa: E731
    assert one("select count(distinct timezone) from marts.dim_locations") == STORES
    assert one("select count(*) from marts.fct_payments where is_offline_payment") > 0
    assert one("select sum(refunds) from marts.daily_sales_by_location") > 0
    assert one("select sum(returned_amount) from marts.daily_discounts_by_location") > 0
    assert one("select count(distinct discount_id) from marts.daily_discounts_by_location") >= 4
    assert one("select sum(quantity_sold) from marts.daily_modifier_sales_by_location") > 0
    assert one("select count(distinct category_id) from marts.daily_category_sales_by_location") > 1
    assert {
        row[0]
        for row in built.query("select distinct tender_type from marts.daily_payment_methods_by_location")
    } == {
        "CARD",
        "CASH",
        "SQUARE_GIFT_CARD",
        "OTHER",
    }
    assert one("select count(distinct team_member_id) from marts.daily_team_sales_by_location") > STORES
    assert one("select count(distinct hour_of_day) from marts.hourly_sales_by_location") > 10


def test_a_drifted_mart_fails_naming_the_store_day_the_measures_and_the_raw_partitions(built, tmp_path):
    drifted = built.copy_to(tmp_path / "drifted")
    day = dt.date(2026, 10, 12)
    location_id, variation_id, timezone = drifted.query(
        "select sales.location_id, sales.item_variation_id, locations.timezone "
        "from marts.daily_item_sales_by_location as sales join marts.dim_locations as locations using (location_id) "
        "where business_date = ? and locations.timezone != 'America/New_York' order by net_sales desc limit 1",
        day,
    )[0]
    with duckdb.connect(str(drifted.database_path)) as connection:
        connection.execute(
            "update marts.daily_item_sales_by_location set net_sales = net_sales - 100, "
            "quantity_sold = quantity_sold + 1 where location_id = ? and business_date = ? and item_variation_id = ?",
            [location_id, day, variation_id],
        )
    specs = [spec_of("daily_item_sales_by_location"), spec_of("daily_sales_by_location")]
    found = evaluations(run_parity(drifted, day - dt.timedelta(days=1), day + dt.timedelta(days=1), specs))

    assert found["daily_sales_by_location"].passed
    items = found["daily_item_sales_by_location"]
    metadata = {name: value.value for name, value in items.metadata.items()}
    assert not items.passed
    assert items.description.startswith("1 of 9 store-days differ")
    assert metadata["store_days_differing"] == 1
    table = metadata["differences"]
    assert f"| {location_id} | {day} | {variation_id} | net_sales | " in table and "| -100 |" in table
    assert f"| {location_id} | {day} | {variation_id} | quantity_sold | " in table
    # The raw partitions (reporting-zone days) that hold the store's local day, computed here independently.
    local = ZoneInfo(timezone)
    start = dt.datetime.combine(day, dt.time(), local)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), local) - dt.timedelta(microseconds=1)
    reporting = ZoneInfo("America/New_York")
    expected = sorted(
        {start.astimezone(reporting).date().isoformat(), end.astimezone(reporting).date().isoformat()}
    )
    assert metadata["raw_partitions_to_repull"] == ", ".join(expected)
    assert len(expected) == 2, "a store outside the reporting zone spans two raw days"


def test_store_days_square_has_not_refreshed_yet_are_skipped_not_failed(built, chain):
    # Square's report data three days old: its last three days (and any older day whose data changed since)
    # cannot agree with the lake yet.
    chain.set_reporting(freshness_lag_seconds=3 * 86_400)
    first = dt.date(2026, 10, 12)
    try:
        found = evaluations(run_parity(built, first, LAST_DAY, [spec_of("daily_sales_by_location")]))
    finally:
        chain.set_reporting()
    evaluation = found["daily_sales_by_location"]
    metadata = {name: value.value for name, value in evaluation.metadata.items()}
    assert evaluation.passed, metadata["differences"]
    assert metadata["square_data_as_of"].startswith("2026-10-19T12:00:00")
    assert metadata["store_days_compared"] + metadata["store_days_skipped"] == STORES * 11
    assert metadata["store_days_skipped"] >= STORES * 4  # Oct 19 to 22 are not over for Square yet
    assert metadata["store_days_compared"] > 0
    assert "not over when Square's report data was refreshed" in metadata["skipped_store_days"]
    assert "changes made after Square's data refresh" in metadata["skipped_store_days"]


def test_a_report_compares_at_its_own_grain_whatever_the_mart_adds(built):
    """A report may be compared at a coarser grain than its mart's rows: the mart adds up (discounts by id, over
    their names and scopes)."""
    coarser = dataclasses.replace(spec_of("daily_item_sales_by_location"), dimensions=("category_id",))
    found = evaluations(run_parity(built, dt.date(2026, 10, 5), dt.date(2026, 10, 7), [coarser]))
    assert found["daily_item_sales_by_location"].passed
