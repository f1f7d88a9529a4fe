"""A partition pull holds exactly what Square holds for that business day (ids and amounts), on both lakes."""

from __future__ import annotations

import datetime as dt

import orjson
import pytest

from square_sales.ingestion.layout import CATALOG, CUSTOMERS, LOCATIONS, ORDERS, PAYMENTS, REFUNDS
from square_sales.ingestion.pull import pull_day, pull_snapshot
from tests.ingestion.conftest import CHAIN_NOW
from tests.ingestion.support import day_bounds, fast_api, read_partition

DAY = dt.date(2026, 11, 12)
# The key fields compared per entity: truth field -> lake column.
COMPARED = {
    ORDERS: {
        "location_id": "location_id",
        "version": "version",
        "state": "state",
        "total": "total_money_amount",
    },
    PAYMENTS: {
        "location_id": "location_id",
        "order_id": "order_id",
        "total": "total_money_amount",
        "is_offline_payment": "is_offline_payment",
    },
    REFUNDS: {"location_id": "location_id", "payment_id": "payment_id", "total": "amount_money_amount"},
}


def _truth_rows(handle, entity, day, timezone):
    start, end = day_bounds(day, timezone)
    rows = {}
    for row in handle.truth(entity.name, start, end):
        money = row.get("total_money") or row.get("amount_money")
        rows[row["id"]] = {**row, "total": money["amount"]}
    return rows


@pytest.mark.parametrize("timezone", ["America/New_York", "Asia/Tokyo"])
def test_partition_pull_equals_sandbox_truth(lake, healthy_sandbox, timezone):
    with fast_api(healthy_sandbox) as api:
        location_ids = [location["id"] for location in api.list_locations()]
        for day in (DAY, DAY + dt.timedelta(days=1)):
            for entity, fields in COMPARED.items():
                stats = pull_day(api, lake, entity, day, timezone, location_ids, run_id="run-a")
                table = read_partition(lake, entity.partition_path(day))
                lake_rows = {row["id"]: row for row in table.to_pylist()}
                truth = _truth_rows(healthy_sandbox, entity, day, timezone)

                assert set(lake_rows) == set(truth), f"{entity.name} {day} ids differ"
                assert stats.rows == table.num_rows == len(truth)
                for object_id, expected in truth.items():
                    row = lake_rows[object_id]
                    for truth_field, column in fields.items():
                        assert row[column] == expected[truth_field], (entity.name, object_id, column)
                    assert row["created_at"] == dt.datetime.fromisoformat(expected["created_at"])
                    assert orjson.loads(row["raw_json"])["id"] == object_id
                    assert row["_run_id"] == "run-a"
    orders = read_partition(lake, ORDERS.partition_path(DAY))
    # Several locations with their own time zones feed one reporting day.
    assert len(set(orders.column("location_id").to_pylist())) == len(location_ids) == 3


def test_same_partition_twice_is_identical_without_duplicates(tmp_path, healthy_sandbox):
    from data_platform.resources.lake import LakeResource

    lake = LakeResource(root_url=str(tmp_path / "lake"))
    timezone = "America/Chicago"
    with fast_api(healthy_sandbox) as api:
        location_ids = [location["id"] for location in api.list_locations()]
        pull_day(api, lake, ORDERS, DAY, timezone, location_ids, run_id="first")
        first = read_partition(lake, ORDERS.partition_path(DAY))
        pull_day(api, lake, ORDERS, DAY, timezone, location_ids, run_id="second")
        second = read_partition(lake, ORDERS.partition_path(DAY))
    content = [c for c in first.column_names if not c.startswith("_")]
    assert first.select(content).equals(second.select(content))
    ids = second.column("id").to_pylist()
    assert len(ids) == len(set(ids)) > 0
    assert set(second.column("_run_id").to_pylist()) == {"second"}
    # Only the published file remains: no staging leftovers beside it.
    assert [p.name for p in (tmp_path / "lake" / "raw/square/orders" / f"date={DAY}").iterdir()] == [
        "part-000.parquet"
    ]


def test_snapshots_hold_every_location_catalog_object_and_customer(tmp_path, healthy_sandbox):
    from data_platform.resources.lake import LakeResource

    lake = LakeResource(root_url=str(tmp_path / "lake"))
    with fast_api(healthy_sandbox) as api:
        expected = {
            LOCATIONS: {o["id"] for o in api.list_locations()},
            CATALOG: {
                o["id"]
                for kind in ("ITEM", "ITEM_VARIATION", "CATEGORY", "TAX", "DISCOUNT")
                for page in api.list_objects("v2/catalog/list", {"types": kind}, "objects")
                for o in page
            },
            CUSTOMERS: {o["id"] for page in api.list_objects("v2/customers", {}, "customers") for o in page},
        }
        for entity, ids in expected.items():
            stats = pull_snapshot(api, lake, entity, CHAIN_NOW, run_id="snap")
            table = read_partition(lake, entity.snapshot_path(CHAIN_NOW))
            assert set(table.column("id").to_pylist()) == ids
            assert stats.rows == len(ids) > 0
    assert len(expected[LOCATIONS]) == 3
    types = set(read_partition(lake, CATALOG.snapshot_path(CHAIN_NOW)).column("type").to_pylist())
    assert {"ITEM", "ITEM_VARIATION"} <= types
