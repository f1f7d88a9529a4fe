"""The marts over raw data that went wrong on the way, built by the real dbt assets in a real instance:

- sales that arrived without their line items are noticed by the dbt reconciliation of line items with order
  totals (it compared only orders that had lines), not published as a quiet drop in net sales;
- a raw partition deleted from the lake is never rebuilt incrementally as a day without sales: the run refuses
  before dbt starts, and the day keeps its figures.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from dagster import AssetCheckKey, AssetKey, AssetSelection, materialize

from data_platform.resources.lake import LakeResource
from square_sales.ingestion.layout import ORDERS
from tests.faults.square_double import Answer, Request, misbehaving_square
from tests.support.sandbox import sandbox
from tests.transform.pipeline import (
    ALL_ASSETS,
    Pipeline,
    range_tags,
    square_dbt_daily_models,
    square_dbt_reference_models,
)

pytestmark = pytest.mark.slow

FIRST, LAST = dt.date(2026, 10, 1), dt.date(2026, 10, 3)
LINE_ITEMS_CHECK = AssetCheckKey(AssetKey(["marts", "fct_orders"]), "assert_line_items_sum_to_order_totals")


@dataclass
class Square:
    """What the pipeline needs of a Square: where it is and the token."""

    base_url: str
    token: str


def _without_some_line_items(request: Request) -> Answer:
    body = request.upstream
    if request.path == "/v2/orders/search" and isinstance(body, dict):
        sales = [o for o in body.get("orders") or [] if o.get("line_items") and o.get("state") == "COMPLETED"]
        for order in sales[::7]:
            del order["line_items"]
    return Answer(body, request.upstream_status)


@pytest.fixture(scope="module")
def chain():
    with sandbox(
        locations=2,
        orders_per_day=25,
        seed=9,
        start_date=FIRST,
        now=dt.datetime(2026, 10, 4, 12, tzinfo=dt.UTC),
    ) as handle:
        yield handle


def _pipeline(folder, square) -> Pipeline:
    pipeline = Pipeline(LakeResource(root_url=str(folder / "lake")), folder / "warehouse.duckdb", square)
    pipeline.lake.check()
    pipeline.pull(FIRST, LAST)
    return pipeline


def _build(pipeline: Pipeline, first: dt.date, last: dt.date):
    return materialize(
        ALL_ASSETS,
        selection=AssetSelection.assets(square_dbt_reference_models, square_dbt_daily_models),
        resources=pipeline.resources(),
        instance=pipeline.instance,
        tags=range_tags(first, last),
        raise_on_error=False,
    )


def test_sales_without_line_items_fail_the_line_items_reconciliation(chain, tmp_path):
    with misbehaving_square(_without_some_line_items, upstream=chain.base_url) as proxy:
        pipeline = _pipeline(tmp_path, Square(proxy.url, chain.token))
    result = _build(pipeline, FIRST, LAST)
    [evaluation] = [e for e in result.get_asset_check_evaluations() if e.asset_check_key == LINE_ITEMS_CHECK]
    assert not evaluation.passed, "orders without line items went unnoticed by the reconciliation"
    assert evaluation.metadata["dagster_dbt/failed_row_count"].value > 0


def test_a_deleted_raw_partition_is_not_rebuilt_as_a_day_without_sales(chain, tmp_path):
    pipeline = _pipeline(tmp_path, chain)
    assert _build(pipeline, FIRST, LAST).success
    day = FIRST + dt.timedelta(days=1)
    sales = "select location_id, order_count, net_sales from marts.daily_sales_by_location where business_date = ?"
    before = sorted(pipeline.query(sales, day))
    assert before and all(orders > 0 for _, orders, _ in before)

    pipeline.lake.delete(ORDERS.partition_path(day))
    result = _build(pipeline, day, day)

    assert not result.success
    error = result.get_step_failure_events()[0].step_failure_data.error
    while error.cause is not None:
        error = error.cause
    assert f"orders {day} was pulled (Dagster recorded it) but is not in the lake" in error.message
    assert sorted(pipeline.query(sales, day)) == before
