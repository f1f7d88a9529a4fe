"""Every response of every endpoint, for several seeds and queries, obeys Square's OpenAPI schema and the SDK reads it."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from tests.sandbox.conftest import SMALL
from tests.sandbox.contract import assert_endpoint_response, assert_reporting_response, local_day_range
from tests.support.sandbox import request_page, sandbox


@pytest.fixture(scope="module", params=[3, 7, 19], ids=lambda seed: f"seed{seed}")
def seeded(request):
    with (
        sandbox(seed=request.param, **SMALL) as handle,
        httpx.Client(
            base_url=handle.base_url, headers={"Authorization": f"Bearer {handle.token}"}, timeout=60
        ) as client,
    ):
        yield client


class Recorder:
    """Calls an endpoint, follows its cursors, and checks every page against the contract."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client
        self.pages = 0

    def all_pages(self, method: str, path: str, *, json: dict | None = None, params: dict | None = None,
                  max_pages: int = 200, template: str | None = None) -> list[dict]:  # fmt: skip
        """Every page (``template``: the spec's path when ``path`` fills in path parameters)."""
        bodies, cursor = [], None
        for _ in range(max_pages):
            response = request_page(self.client, method, path, params if method == "GET" else json, cursor)
            assert response.status_code == 200, response.text
            body = response.json()
            assert_endpoint_response(method, template or path, body)
            bodies.append(body)
            self.pages += 1
            cursor = body.get("cursor")
            if not cursor:
                return bodies
        return bodies


def _items(bodies: list[dict], key: str) -> list[dict]:
    return [item for body in bodies for item in body.get(key, [])]


def test_every_endpoint_answers_within_the_contract(seeded: httpx.Client):
    calls = Recorder(seeded)
    locations = _items(calls.all_pages("GET", "/v2/locations"), "locations")
    assert len(locations) == 3 and len({location["timezone"] for location in locations}) == 3
    ids = [location["id"] for location in locations]

    orders, payments = [], []
    for location in locations:
        start, end = local_day_range(location["timezone"], dt.date(2026, 10, 6))
        orders += _items(calls.all_pages("POST", "/v2/orders/search", json={
            "location_ids": [location["id"]], "limit": 25,
            "query": {"filter": {"date_time_filter": {"created_at": {"start_at": start, "end_at": end}}},
                      "sort": {"sort_field": "CREATED_AT", "sort_order": "ASC"}},
        }), "orders")  # fmt: skip
        payments += _items(calls.all_pages("GET", "/v2/payments", params={
            "location_id": location["id"], "begin_time": start, "end_time": end, "limit": 40,
        }), "payments")  # fmt: skip
    # Everything that changed during a week: late uploads, refunded sales, return orders.
    week = {"start_at": "2026-10-08T00:00:00Z", "end_at": "2026-10-15T00:00:00Z"}
    orders += _items(calls.all_pages("POST", "/v2/orders/search", json={
        "location_ids": ids, "limit": 500,
        "query": {"filter": {"date_time_filter": {"updated_at": week}},
                  "sort": {"sort_field": "UPDATED_AT", "sort_order": "DESC"}},
    }), "orders")  # fmt: skip
    calls.all_pages("POST", "/v2/orders/search", json={
        "location_ids": ids, "limit": 200,
        "query": {"filter": {"date_time_filter": {"closed_at": week}, "state_filter": {"states": ["CANCELED"]}},
                  "sort": {"sort_field": "CLOSED_AT"}},
    })  # fmt: skip
    entries = _items(calls.all_pages("POST", "/v2/orders/search", json={
        "location_ids": ids, "return_entries": True, "limit": 1000,
        "query": {"filter": {"date_time_filter": {"created_at": week}}},
    }), "order_entries")  # fmt: skip
    assert entries and all(set(entry) <= {"order_id", "version", "location_id"} for entry in entries)
    calls.all_pages("POST", "/v2/orders/search", json={"location_ids": ids, "limit": 100}, max_pages=3)

    refunded = [order["id"] for order in orders if order.get("refunds")][:40]
    returns = [order["id"] for order in orders if order.get("returns")][:40]
    batch = _items(calls.all_pages("POST", "/v2/orders/batch-retrieve", json={
        "order_ids": refunded + returns + [orders[0]["id"]]}), "orders")  # fmt: skip
    assert {order["id"] for order in batch} == set(refunded + returns + [orders[0]["id"]])

    payments += _items(calls.all_pages("GET", "/v2/payments", params={
        "updated_at_begin_time": week["start_at"], "updated_at_end_time": week["end_at"],
        "sort_field": "UPDATED_AT", "sort_order": "ASC"}), "payments")  # fmt: skip
    payments += _items(calls.all_pages("GET", "/v2/payments", params={
        "location_id": ids[1], "is_offline_payment": "true", "sort_field": "OFFLINE_CREATED_AT"}), "payments")  # fmt: skip
    refunds = _items(calls.all_pages("GET", "/v2/refunds", params={"limit": 30}), "refunds")
    calls.all_pages(
        "GET", "/v2/refunds", params={"location_id": ids[2], "sort_order": "ASC", "status": "COMPLETED"}
    )

    catalog = _items(calls.all_pages("GET", "/v2/catalog/list"), "objects")
    variations = _items(
        calls.all_pages("GET", "/v2/catalog/list", params={"types": "item_variation,TAX"}), "objects"
    )
    changed = _items(calls.all_pages("POST", "/v2/catalog/search", json={
        "begin_time": "2026-10-05T00:00:00Z", "include_deleted_objects": True, "limit": 40}), "objects")  # fmt: skip
    assert changed and all(obj["updated_at"] > "2026-10-05T00:00:00" for obj in changed)
    customers = _items(
        calls.all_pages("GET", "/v2/customers", params={"limit": 100, "count": "true"}), "customers"
    )
    calls.all_pages(
        "GET", "/v2/customers", params={"sort_field": "CREATED_AT", "sort_order": "DESC", "limit": 37}
    )
    calls.all_pages("POST", "/v2/customers/search", json={"query": {"filter": {"updated_at": {
        "start_at": "2026-10-10T00:00:00Z"}}}})  # fmt: skip
    calls.all_pages("POST", "/v2/customers/search", json={
        "limit": 50, "query": {"filter": {"created_at": {"start_at": "2025-01-01T00:00:00Z"}},
                               "sort": {"field": "CREATED_AT", "order": "ASC"}}})  # fmt: skip

    # The pages covered every kind of object the contract describes, not just the easy ones.
    assert calls.pages > 40
    assert {"ITEM", "CATEGORY", "TAX", "DISCOUNT", "MODIFIER_LIST"} <= {obj["type"] for obj in catalog}
    assert {"ITEM_VARIATION", "TAX"} == {obj["type"] for obj in variations}
    assert len(customers) == 3 * 150 or all(c["created_at"] <= "2026-10-20T12:00:00.000Z" for c in customers)
    assert {payment["source_type"] for payment in payments} == {"CARD", "CASH", "EXTERNAL"}
    brands = {
        payment["card_details"]["card"]["card_brand"] for payment in payments if "card_details" in payment
    }
    assert {"VISA", "MASTERCARD", "SQUARE_GIFT_CARD"} <= brands
    assert all(payment["team_member_id"].startswith("TM") for payment in payments)
    tenders = {tender["type"] for order in orders for tender in order.get("tenders", [])}
    assert tenders == {"CARD", "CASH", "SQUARE_GIFT_CARD", "OTHER"}
    assert any(line.get("modifiers") for order in orders for line in order.get("line_items", []))
    assert len({d["name"] for order in orders for d in order.get("discounts", [])}) >= 4
    assert {"ORDER", "LINE_ITEM"} == {d["scope"] for order in orders for d in order.get("discounts", [])}
    assert any(payment.get("processing_fee") for payment in payments)
    assert any(payment.get("offline_payment_details") for payment in payments)
    assert any(payment.get("tip_money") for payment in payments)
    assert any(payment.get("refund_ids") for payment in payments)
    assert refunded and returns and refunds
    assert any(order.get("discounts") for order in orders)
    assert any(order["state"] == "COMPLETED" and order["updated_at"] > order["closed_at"] for order in orders)


def test_the_sdk_pages_through_orders_and_payments(square):
    """The official client, not just its types: search pages with cursors, and the payments pager."""
    from square import Square

    client = Square(token=square.token, base_url=square.base_url, timeout=30)
    location_ids = [location.id for location in client.locations.list().locations]
    seen, cursor = [], None
    query = {"filter": {"date_time_filter": {"created_at": {"start_at": "2026-10-03T00:00:00Z",
                                                            "end_at": "2026-10-05T00:00:00Z"}}},
             "sort": {"sort_field": "CREATED_AT", "sort_order": "ASC"}}  # fmt: skip
    while True:
        page = client.orders.search(
            location_ids=location_ids, query=query, limit=50, **({"cursor": cursor} if cursor else {})
        )
        seen += [order.id for order in page.orders or []]
        cursor = page.cursor
        if not cursor:
            break
    truth = square.truth(
        "orders", dt.datetime(2026, 10, 3, tzinfo=dt.UTC), dt.datetime(2026, 10, 5, tzinfo=dt.UTC)
    )
    assert sorted(seen) == sorted(row["id"] for row in truth) and len(seen) == len(set(seen)) > 100
    payments = [p.id for p in client.payments.list(location_id=location_ids[0], begin_time="2026-10-03T00:00:00Z",
                                                   end_time="2026-10-05T00:00:00Z", limit=20)]  # fmt: skip
    truth_payments = square.truth("payments", dt.datetime(2026, 10, 3, tzinfo=dt.UTC),
                                  dt.datetime(2026, 10, 5, tzinfo=dt.UTC))  # fmt: skip
    assert sorted(payments) == sorted(p["id"] for p in truth_payments if p["location_id"] == location_ids[0])


def test_reporting_answers_parse_with_the_sdk_types(seeded: httpx.Client):
    """The Reporting API is not in api.json: its answers must parse with the SDK's types, nothing undeclared."""
    meta = seeded.get("/reporting/v1/meta").json()
    assert_reporting_response("metadata_response.MetadataResponse", meta)
    week = ["2026-10-08", "2026-10-14"]
    for cube in meta["cubes"]:
        view = cube["name"]
        dimensions = [d["name"] for d in cube["dimensions"] if d["type"] == "string"]
        for granularity in ("day", "hour"):
            query = {
                "measures": [m["name"] for m in cube["measures"]],
                "dimensions": dimensions[:3],
                "segments": [cube["segments"][0]["name"]],
                "timeDimensions": [
                    {
                        "dimension": f"{view}.local_reporting_timestamp",
                        "dateRange": week,
                        "granularity": granularity,
                    }
                ],
                "filters": [{"member": dimensions[0], "operator": "set"}],
                "order": [[cube["measures"][0]["name"], "desc"]],
                "limit": 500,
                "timezone": "America/Chicago",
            }
            answer = seeded.post("/reporting/v1/load", json={"query": query, "queryType": "regularQuery"})
            assert answer.status_code == 200, answer.text
            assert_reporting_response("load_response.LoadResponse", answer.json())
            assert answer.json()["data"], (view, granularity)


def test_store_and_money_endpoints_answer_within_the_contract(seeded: httpx.Client):
    """Inventory, team, timecards, cash drawers, payouts, disputes, gift cards, loyalty, invoices."""
    calls = Recorder(seeded)
    ids = [location["id"] for location in _items(calls.all_pages("GET", "/v2/locations"), "locations")]
    week = {"start_at": "2026-10-08T00:00:00Z", "end_at": "2026-10-15T00:00:00Z"}
    counts = _items(
        calls.all_pages("POST", "/v2/inventory/counts/batch-retrieve", json={"limit": 50}), "counts"
    )
    calls.all_pages("POST", "/v2/inventory/counts/batch-retrieve", json={
        "location_ids": ids[:1], "states": ["IN_STOCK", "SOLD", "WASTE"], "catalog_object_ids": [counts[0]["catalog_object_id"]]})  # fmt: skip
    changes = _items(calls.all_pages("POST", "/v2/inventory/changes/batch-retrieve", json={
        "location_ids": ids[1:], "updated_after": week["start_at"], "updated_before": week["end_at"], "limit": 400}), "changes")  # fmt: skip
    changes += _items(calls.all_pages("POST", "/v2/inventory/changes/batch-retrieve", json={
        "types": ["PHYSICAL_COUNT"], "location_ids": ids[:1]}), "changes")  # fmt: skip
    members = _items(calls.all_pages("POST", "/v2/team-members/search", json={"limit": 5}), "team_members")
    timecards = _items(calls.all_pages("POST", "/v2/labor/timecards/search", json={"limit": 50, "query": {
        "filter": {"start": week, "location_ids": ids[:2]}, "sort": {"field": "END_AT", "order": "DESC"}}}), "timecards")  # fmt: skip
    shifts = []
    for location_id in ids:
        shifts += _items(calls.all_pages("GET", "/v2/cash-drawers/shifts", params={
            "location_id": location_id, "begin_time": week["start_at"], "end_time": week["end_at"], "limit": 7}), "cash_drawer_shifts")  # fmt: skip
    shift = shifts[-1]
    calls.all_pages("GET", f"/v2/cash-drawers/shifts/{shift['id']}", params={"location_id": shift["location_id"]},
                    template="/v2/cash-drawers/shifts/{shift_id}")  # fmt: skip
    calls.all_pages("GET", f"/v2/cash-drawers/shifts/{shift['id']}/events", params={"location_id": shift["location_id"],
                    "limit": 3}, template="/v2/cash-drawers/shifts/{shift_id}/events")  # fmt: skip
    payouts = []
    for location_id in ids:
        payouts += _items(
            calls.all_pages("GET", "/v2/payouts", params={"location_id": location_id, "limit": 4}), "payouts"
        )
    calls.all_pages("GET", f"/v2/payouts/{payouts[0]['id']}/payout-entries", params={"limit": 10},
                    template="/v2/payouts/{payout_id}/payout-entries")  # fmt: skip
    calls.all_pages("GET", "/v2/disputes")
    cards = _items(calls.all_pages("GET", "/v2/gift-cards", params={"limit": 200}), "gift_cards")
    activities = _items(calls.all_pages("GET", "/v2/gift-cards/activities", params={
        "begin_time": week["start_at"], "end_time": week["end_at"], "limit": 100}), "gift_card_activities")  # fmt: skip
    calls.all_pages(
        "GET", "/v2/gift-cards/activities", params={"gift_card_id": activities[0]["gift_card_id"]}
    )
    accounts = _items(
        calls.all_pages("POST", "/v2/loyalty/accounts/search", json={"limit": 200}), "loyalty_accounts"
    )
    events = _items(calls.all_pages("POST", "/v2/loyalty/events/search", json={"query": {"filter": {
        "date_time_filter": {"created_at": week}, "location_filter": {"location_ids": ids[:1]}}}}), "events")  # fmt: skip
    invoices = [invoice for location_id in ids for invoice in _items(calls.all_pages("POST", "/v2/invoices/search", json={
        "query": {"filter": {"location_ids": [location_id]}, "sort": {"field": "INVOICE_SORT_DATE", "order": "ASC"}}}), "invoices")]  # fmt: skip

    assert {change["type"] for change in changes} == {"ADJUSTMENT", "PHYSICAL_COUNT"}
    assert {change["adjustment"]["to_state"] for change in changes if "adjustment" in change} >= {
        "SOLD",
        "IN_STOCK",
    }
    assert len(members) == 3 * 8 and timecards and {t["status"] for t in timecards} == {"CLOSED"}
    assert (
        {s["state"] for s in shifts} == {"CLOSED"} and payouts and cards and accounts and events and invoices
    )
    assert {a["type"] for a in activities} >= {"ACTIVATE", "REDEEM"}
    assert calls.pages > 40
