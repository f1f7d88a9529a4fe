"""The ground truth endpoints equal what a plain client sums and collects from the Square API pages."""

from __future__ import annotations

import datetime as dt

import httpx

from tests.sandbox.conftest import NOW
from tests.sandbox.contract import local_day_range


def _pages(api: httpx.Client, method: str, path: str, key: str, payload: dict) -> list[dict]:
    items, cursor = [], None
    while True:
        if method == "GET":
            body = api.get(path, params={**payload, **({"cursor": cursor} if cursor else {})}).json()
        else:
            body = api.post(path, json={**payload, **({"cursor": cursor} if cursor else {})}).json()
        items += body.get(key, [])
        cursor = body.get("cursor")
        if not cursor:
            return items


def _summed_from_api(api: httpx.Client, location: dict, day: dt.date) -> dict:
    """A Sales Summary computed from the API alone, with the definitions in square_sandbox/README.md."""
    start, end = local_day_range(location["timezone"], day)
    orders = _pages(api, "POST", "/v2/orders/search", "orders", {
        "location_ids": [location["id"]], "limit": 17,
        "query": {"filter": {"date_time_filter": {"created_at": {"start_at": start, "end_at": end}},
                             "state_filter": {"states": ["COMPLETED"]}},
                  "sort": {"sort_field": "CREATED_AT", "sort_order": "ASC"}}})  # fmt: skip
    payments = _pages(
        api,
        "GET",
        "/v2/payments",
        "payments",
        {"location_id": location["id"], "begin_time": start, "end_time": end, "limit": 23},
    )
    refunds = _pages(
        api,
        "GET",
        "/v2/refunds",
        "refunds",
        {"location_id": location["id"], "begin_time": start, "end_time": end, "limit": 7},
    )
    sales = [order for order in orders if not order.get("returns")]
    returned = [
        line for order in orders for ret in order.get("returns", []) for line in ret["return_line_items"]
    ]
    sold = [line for order in sales for line in order.get("line_items", [])]

    def total(lines, field):
        return sum(line[field]["amount"] for line in lines)

    collected = {"card": 0, "cash": 0, "gift_card": 0, "other": 0}
    for payment in (p for p in payments if p["status"] == "COMPLETED"):
        collected[_tender_key(payment)] += payment["total_money"]["amount"]
    paid_with = {payment["id"]: _tender_key(payment) for payment in _all_payments(api, location)}
    for refund in (r for r in refunds if r["status"] == "COMPLETED"):
        collected[paid_with[refund["payment_id"]]] -= refund["amount_money"]["amount"]
    fees = sum(fee["amount_money"]["amount"] for p in payments for fee in p.get("processing_fee", []))

    gross, returns = total(sold, "gross_sales_money"), total(returned, "gross_return_money")
    discounts = total(sold, "total_discount_money") - total(returned, "total_discount_money")
    refunded = sum(r["amount_money"]["amount"] for r in refunds if r["status"] == "COMPLETED")
    total_collected = (
        sum(p["total_money"]["amount"] for p in payments if p["status"] == "COMPLETED") - refunded
    )
    return {
        "location_id": location["id"],
        "date": day.isoformat(),
        "order_count": len(sales),
        "gross_sales": gross,
        "returns": returns,
        "discounts": discounts,
        "net_sales": gross - returns - discounts,
        "tax": total(sold, "total_tax_money") - total(returned, "total_tax_money"),
        "tips": sum(order["total_tip_money"]["amount"] for order in sales),
        "total_collected": total_collected,
        "refunds": refunded,
        **collected,
        "fees": fees,
        "net_total": total_collected - fees,
        "currency": "USD",
    }


def _tender_key(payment: dict) -> str:
    """The Sales Summary row a payment's money is collected in."""
    if payment["source_type"] == "CARD":
        return "gift_card" if payment["card_details"]["card"]["card_brand"] == "SQUARE_GIFT_CARD" else "card"
    return "cash" if payment["source_type"] == "CASH" else "other"


def _all_payments(api: httpx.Client, location: dict) -> list[dict]:
    """Every payment of the location (a refund may return a payment of an earlier day)."""
    return _pages(api, "GET", "/v2/payments", "payments", {"location_id": location["id"], "limit": 100})


def test_ground_truth_matches_the_api_pages(square, api):
    locations = api.get("/v2/locations").json()["locations"]
    checked = []
    for day in (dt.date(2026, 10, 9), dt.date(2026, 10, 14), dt.date(2026, 10, 19)):
        truth = square.ground_truth(day)
        assert truth["as_of"].startswith("2026-10-20T12:00:00")
        by_location = {row["location_id"]: row for row in truth["days"]}
        assert set(by_location) == {location["id"] for location in locations}
        for location in locations:
            from_api = _summed_from_api(api, location, day)
            assert by_location[location["id"]] == from_api
            assert from_api["total_collected"] == from_api["net_sales"] + from_api["tax"] + from_api["tips"]
            tenders = ("card", "cash", "gift_card", "other")
            assert from_api["total_collected"] == sum(from_api[key] for key in tenders)
            checked.append(from_api)
    assert all(row["order_count"] > 10 and row["gross_sales"] > 0 for row in checked)
    assert any(row["returns"] > 0 and row["refunds"] > 0 for row in checked)
    assert any(row["discounts"] > 0 for row in checked) and any(row["tips"] > 0 for row in checked)
    assert all(row["card"] > 0 and row["cash"] > 0 and row["fees"] > 0 for row in checked)
    assert any(row["gift_card"] > 0 for row in checked) and any(row["other"] > 0 for row in checked)
    one = square.ground_truth(dt.date(2026, 10, 14), location_id=locations[1]["id"])["days"]
    assert [row["location_id"] for row in one] == [locations[1]["id"]]


def test_truth_rows_are_the_objects_the_api_serves(square, api, location_ids):
    start, end = dt.datetime(2026, 10, 10, tzinfo=dt.UTC), dt.datetime(2026, 10, 12, tzinfo=dt.UTC)
    window = {"start_at": "2026-10-10T00:00:00Z", "end_at": "2026-10-11T23:59:59.999Z"}
    orders = _pages(api, "POST", "/v2/orders/search", "orders", {
        "location_ids": location_ids, "limit": 50,
        "query": {"filter": {"date_time_filter": {"created_at": window}}, "sort": {"sort_field": "CREATED_AT"}}})  # fmt: skip
    expected = {o["id"]: (o["version"], o["updated_at"], o["total_money"]["amount"]) for o in orders}
    truth = {
        r["id"]: (r["version"], r["updated_at"], r["total_money"]["amount"])
        for r in square.truth("orders", start, end)
    }
    assert truth == expected
    refunds = [r for loc in location_ids for r in _pages(api, "GET", "/v2/refunds", "refunds", {
        "location_id": loc, "begin_time": window["start_at"], "end_time": window["end_at"]})]  # fmt: skip
    assert sorted(r["id"] for r in refunds) == sorted(r["id"] for r in square.truth("refunds", start, end))
    assert square.now() == NOW
