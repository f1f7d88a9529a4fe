"""The offline scenario: list a day, advance the clock, and the late uploads appear with their old created_at."""

from __future__ import annotations

import datetime as dt

import httpx

from tests.support.sandbox import sandbox

DAY_START, DAY_END = "2026-10-05T00:00:00Z", "2026-10-06T00:00:00Z"


def _orders(api: httpx.Client, location_ids: list[str], field: str, start: str, end: str) -> list[dict]:
    orders, cursor = [], None
    while True:
        body = api.post("/v2/orders/search", json={
            "location_ids": location_ids, "limit": 200, **({"cursor": cursor} if cursor else {}),
            "query": {"filter": {"date_time_filter": {field: {"start_at": start, "end_at": end}}},
                      "sort": {"sort_field": field.upper(), "sort_order": "ASC"}}}).json()  # fmt: skip
        orders += body.get("orders", [])
        cursor = body.get("cursor")
        if not cursor:
            return orders


def test_late_uploads_appear_after_the_clock_moves():
    first_look = dt.datetime(2026, 10, 6, 6, tzinfo=dt.UTC)
    options = {"seed": 11, "locations": 4, "orders_per_day": 60, "start_date": dt.date(2026, 9, 20),
               "now": first_look, "offline_share": 0.3}  # fmt: skip
    with (
        sandbox(**options) as square,
        httpx.Client(base_url=square.base_url, headers={"Authorization": f"Bearer {square.token}"}) as api,
    ):
        location_ids = [location["id"] for location in api.get("/v2/locations").json()["locations"]]
        before = {order["id"] for order in _orders(api, location_ids, "created_at", DAY_START, DAY_END)}

        square.advance(dt.timedelta(days=11))
        after = {o["id"]: o for o in _orders(api, location_ids, "created_at", DAY_START, DAY_END)}
        late = [order for order_id, order in after.items() if order_id not in before]

        assert before and before <= set(after)
        assert late, "an outage on that day should have uploaded sales later"
        for order in late:
            assert DAY_START <= order["created_at"] < DAY_END  # the register time, not the upload time
            assert order["updated_at"] > "2026-10-06T06:00:00"  # uploaded after the first look
        # An incremental client that asks "what changed since my last run" finds exactly these.
        changed = _orders(api, location_ids, "updated_at", "2026-10-06T06:00:00.001Z", "2026-10-17T06:00:00Z")
        assert {order["id"] for order in late} <= {order["id"] for order in changed}

        # Their payments are marked offline and keep the register time.
        late_ids = {order["id"] for order in late}
        payments = []
        for location_id in location_ids:
            payments += api.get("/v2/payments", params={
                    "location_id": location_id, "is_offline_payment": "true",
                    "begin_time": DAY_START, "end_time": DAY_END}).json().get("payments", [])  # fmt: skip
        paid = {p["order_id"]: p for p in payments}
        for order in late:
            if order["state"] != "COMPLETED":
                continue
            payment = paid[order["id"]]
            assert payment["is_offline_payment"] is True
            assert payment["offline_payment_details"]["client_created_at"] == order["created_at"]
            assert payment["updated_at"] > payment["created_at"]
        assert late_ids & set(paid)

        # Some uploads take longer than Square's 72 hours; ground truth grows with the clock.
        truth = square.truth(
            "orders", dt.datetime(2026, 9, 20, tzinfo=dt.UTC), dt.datetime(2026, 10, 6, tzinfo=dt.UTC)
        )
        delays = [
            dt.datetime.fromisoformat(row["updated_at"]) - dt.datetime.fromisoformat(row["created_at"])
            for row in truth
        ]
        assert max(delays) > dt.timedelta(hours=72)
        square.set_clock(first_look)
        early = sum(row["order_count"] for row in square.ground_truth(dt.date(2026, 10, 5))["days"])
        square.advance(dt.timedelta(days=11))
        later = sum(row["order_count"] for row in square.ground_truth(dt.date(2026, 10, 5))["days"])
        assert early < later


def test_the_clock_hides_the_future_and_follows_the_admin_endpoint(square, api, location_ids):
    square.set_clock(dt.datetime(2026, 10, 10, 15, tzinfo=dt.UTC))
    body = api.post("/v2/orders/search", json={"location_ids": location_ids, "limit": 1}).json()
    assert body["orders"][0]["created_at"] <= "2026-10-10T15:00:00.000Z"  # newest first, nothing after now
    assert square.advance(dt.timedelta(hours=1)) == dt.datetime(2026, 10, 10, 16, tzinfo=dt.UTC)
    bad = httpx.post(f"{square.base_url}/_sandbox/clock", json={"now": "soon"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["code"] == "INVALID_TIME"


def test_refunds_update_the_sale_and_create_a_return_order(square, api, location_ids):
    refunds = api.get("/v2/refunds", params={"limit": 20, "sort_order": "ASC"}).json()["refunds"]
    refund = refunds[0]
    payment_order_id = next(
        p["order_id"]
        for loc in location_ids
        for p in api.get("/v2/payments", params={"location_id": loc, "updated_at_begin_time": refund["created_at"],
                                                 "updated_at_end_time": refund["updated_at"]}).json().get("payments", [])
        if p["id"] == refund["payment_id"]
    )  # fmt: skip
    orders = api.post(
        "/v2/orders/batch-retrieve", json={"order_ids": [payment_order_id, refund["order_id"]]}
    ).json()
    sale, return_order = sorted(orders["orders"], key=lambda o: o["id"] != payment_order_id)
    assert sale["refunds"][0]["id"] == refund["id"] and sale["version"] == 5
    assert sale["updated_at"] >= refund["created_at"] > sale["created_at"]
    assert return_order["returns"][0]["source_order_id"] == sale["id"]
    assert return_order["return_amounts"]["total_money"] == refund["amount_money"]
    # Before the refund the sale was still at its first version, without refunds.
    square.set_clock(dt.datetime.fromisoformat(refund["created_at"]) - dt.timedelta(seconds=1))
    earlier = api.post(
        "/v2/orders/batch-retrieve", json={"order_ids": [sale["id"], return_order["id"]]}
    ).json()
    assert [(o["id"], o["version"], "refunds" in o) for o in earlier["orders"]] == [(sale["id"], 4, False)]
