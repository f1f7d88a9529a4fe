"""Analysts see recent net sales per store (table + chart) and late uploads per store on the marts in the UI."""

from __future__ import annotations

import base64
import re

from dagster import AssetKey

from tests.transform.pipeline import Pipeline


def latest_metadata(pipeline: Pipeline, key: list[str]) -> dict:
    event = pipeline.instance.get_latest_materialization_event(AssetKey(key))
    assert event is not None, f"{'/'.join(key)} was never materialized"
    return event.asset_materialization.metadata


def test_daily_sales_preview_shows_each_stores_net_sales_and_a_chart(built: Pipeline):
    metadata = latest_metadata(built, ["marts", "daily_sales_by_location"])
    markdown = metadata["recent_net_sales"].value
    latest_day = str(built.query("select max(business_date) from marts.daily_sales_by_location")[0][0])
    assert metadata["latest_business_day"].value == latest_day

    # The chart is a real PNG embedded in the Markdown.
    image = re.search(r"data:image/png;base64,([A-Za-z0-9+/=]+)\)", markdown)
    assert image and base64.b64decode(image.group(1)).startswith(b"\x89PNG")

    # The table's row for the latest day holds each store's net sales from the mart, in the store's name order.
    header = next(line for line in markdown.splitlines() if line.startswith("| business day |"))
    stores = [cell.strip() for cell in header.strip("|").split("|")[1:]]
    row = next(line for line in markdown.splitlines() if line.startswith(f"| {latest_day} |"))
    shown = [cell.strip() for cell in row.strip("|").split("|")[1:]]
    expected = dict(
        built.query(
            "select l.location_name, d.net_sales from marts.daily_sales_by_location d "
            "join marts.dim_locations l using (location_id) where d.business_date = ?",
            latest_day,
        )
    )
    assert len(stores) == metadata["stores"].value == 3
    assert shown == [f"{expected[store] / 100:,.2f}" if store in expected else "-" for store in stores]


def test_late_arrivals_preview_lists_the_stores_that_uploaded_late(built: Pipeline):
    metadata = latest_metadata(built, ["marts", "daily_late_arrivals_by_location"])
    markdown = metadata["late_uploads_by_store"].value
    late_by_store = dict(
        built.query(
            "select l.location_name, sum(a.late_payment_count) from marts.daily_late_arrivals_by_location a "
            "join marts.dim_locations l using (location_id) group by 1"
        )
    )
    assert sum(late_by_store.values()) > 0, "the test chain is meant to have offline uploads"
    for store, late in late_by_store.items():
        row = next(line for line in markdown.splitlines() if line.startswith(f"| {store} |"))
        assert row.split("|")[4].strip() == str(late)
    assert metadata["stores_with_late_uploads"].value == sum(1 for late in late_by_store.values() if late)
