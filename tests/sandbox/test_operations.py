"""Inventory, team, timecards, cash drawers, payouts, gift cards, loyalty, disputes and invoices agree with the
sales the sandbox serves, and their ground truth endpoints with what the API shows."""

from __future__ import annotations

import collections
import datetime as dt

import httpx

from tests.sandbox.conftest import NOW
from tests.sandbox.contract import assert_error, local_day_range

DAY = dt.date(2026, 10, 9)  # a Friday: every offline upload of it arrived by NOW


def pages(api: httpx.Client, method: str, path: str, key: str, payload: dict) -> list[dict]:
    items, cursor = [], None
    while True:
        extra = {"cursor": cursor} if cursor else {}
        if method == "GET":
            body = api.get(path, params={**payload, **extra}).json()
        else:
            body = api.post(path, json={**payload, **extra}).json()
        items += body.get(key, [])
        cursor = body.get("cursor")
        if not cursor:
            return items


def truth(square, kind: str, day: dt.date, location_id: str) -> list[dict]:
    response = httpx.get(f"{square.base_url}/_sandbox/ground-truth/{kind}",
                         params={"date": day.isoformat(), "location_id": location_id})  # fmt: skip
    response.raise_for_status()
    return response.json()[kind]


def day_orders(api: httpx.Client, location: dict, day: dt.date) -> list[dict]:
    start, end = local_day_range(location["timezone"], day)
    query = {"filter": {"date_time_filter": {"created_at": {"start_at": start, "end_at": end}},
                        "state_filter": {"states": ["COMPLETED"]}}}  # fmt: skip
    return pages(
        api, "POST", "/v2/orders/search", "orders", {"location_ids": [location["id"]], "query": query}
    )


def day_payments(api: httpx.Client, location: dict, day: dt.date, **filters) -> list[dict]:
    start, end = local_day_range(location["timezone"], day)
    params = {"location_id": location["id"], "begin_time": start, "end_time": end, **filters}
    return pages(api, "GET", "/v2/payments", "payments", params)


def day_refunds(api: httpx.Client, location: dict, day: dt.date) -> list[dict]:
    start, end = local_day_range(location["timezone"], day)
    return pages(
        api,
        "GET",
        "/v2/refunds",
        "refunds",
        {"location_id": location["id"], "begin_time": start, "end_time": end},
    )


def test_inventory_moves_with_the_sales_returns_and_receipts(square, api):
    location = api.get("/v2/locations").json()["locations"][0]
    monday, tuesday = dt.date(2026, 10, 12), dt.date(2026, 10, 13)
    for day in (monday, tuesday):
        rows = {row["catalog_object_id"]: row for row in truth(square, "inventory", day, location["id"])}
        sold, returned = collections.Counter(), collections.Counter()
        for order in day_orders(api, location, day):
            if "returns" in order:
                for line in order["returns"][0]["return_line_items"]:
                    returned[line["catalog_object_id"]] += int(line["quantity"])
            else:
                for line in order["line_items"]:
                    sold[line["catalog_object_id"]] += int(line["quantity"])
        assert {k: r["sold"] for k, r in rows.items() if r["sold"]} == dict(sold)
        assert {k: r["returned"] for k, r in rows.items() if r["returned"]} == dict(returned)
        assert all(
            r["closing"] == r["opening"] + r["received"] + r["returned"] - r["sold"] - r["waste"]
            for r in rows.values()
        )
        assert (sum(r["received"] for r in rows.values()) > 0) == (
            day == monday
        )  # deliveries come on Mondays
    before = {
        row["catalog_object_id"]: row["closing"] for row in truth(square, "inventory", monday, location["id"])
    }
    after = {
        row["catalog_object_id"]: row["opening"]
        for row in truth(square, "inventory", tuesday, location["id"])
    }
    assert before == after
    today = {
        row["catalog_object_id"]: row["closing"]
        for row in truth(square, "inventory", NOW.date(), location["id"])
    }
    counts = pages(
        api, "POST", "/v2/inventory/counts/batch-retrieve", "counts", {"location_ids": [location["id"]]}
    )
    assert {count["catalog_object_id"]: int(count["quantity"]) for count in counts} == today


def test_inventory_changes_list_every_sale_of_the_day(api):
    location = api.get("/v2/locations").json()["locations"][1]
    start, end = local_day_range(location["timezone"], DAY)
    changes = pages(api, "POST", "/v2/inventory/changes/batch-retrieve", "changes",
                    {"location_ids": [location["id"]], "updated_after": start, "limit": 37})  # fmt: skip
    sales = collections.Counter()
    for change in changes:
        adjustment = change.get("adjustment", {})
        if adjustment.get("to_state") == "SOLD" and start <= adjustment["occurred_at"] <= end:
            sales[adjustment["catalog_object_id"]] += int(adjustment["quantity"])
    expected = collections.Counter()
    for order in day_orders(api, location, DAY):
        for line in order.get("line_items", []):
            expected[line["catalog_object_id"]] += int(line["quantity"])
    assert sales == expected and sum(sales.values()) > 20


def test_cash_drawers_hold_the_cash_tenders_of_their_store(square, api):
    for location in api.get("/v2/locations").json()["locations"]:
        (row,) = truth(square, "cash-drawers", DAY, location["id"])
        cash = [
            p
            for p in day_payments(api, location, DAY)
            if p["source_type"] == "CASH" and p["status"] == "COMPLETED"
        ]
        assert row["cash_sales"] == sum(p["total_money"]["amount"] for p in cash) > 0
        assert (
            row["expected"]
            == row["opened_cash"] + row["cash_sales"] - row["cash_refunds"] + row["paid_in"] - row["paid_out"]
        )
        assert row["over_short"] == row["counted"] - row["expected"] and abs(row["over_short"]) <= 500 * len(
            row["shifts"]
        )
        start, end = local_day_range(location["timezone"], DAY)
        listed = pages(api, "GET", "/v2/cash-drawers/shifts", "cash_drawer_shifts",
                       {"location_id": location["id"], "begin_time": start, "end_time": end})  # fmt: skip
        assert sorted(s["id"] for s in listed) == sorted(s["shift_id"] for s in row["shifts"])
        assert sum(s["expected_cash_money"]["amount"] for s in listed) == row["expected"]
        for shift in listed:
            params = {"location_id": location["id"]}
            detail = api.get(f"/v2/cash-drawers/shifts/{shift['id']}", params=params).json()[
                "cash_drawer_shift"
            ]
            events = pages(
                api,
                "GET",
                f"/v2/cash-drawers/shifts/{shift['id']}/events",
                "cash_drawer_shift_events",
                params,
            )
            paid = sum(e["event_money"]["amount"] for e in events if e["event_type"] == "CASH_TENDER_PAYMENT")
            assert paid == detail["cash_payment_money"]["amount"] and detail["state"] == "CLOSED"


def test_payouts_are_card_payments_less_fees_and_card_refunds(square, api):
    location = api.get("/v2/locations").json()["locations"][2]
    (row,) = truth(square, "payouts", DAY, location["id"])
    entries = pages(
        api, "GET", f"/v2/payouts/{row['payout_id']}/payout-entries", "payout_entries", {"limit": 9}
    )
    assert (
        sum(e["net_amount_money"]["amount"] for e in entries)
        == row["amount"]
        == row["card_payments"] - row["fees"] - row["refunds"]
    )
    paid = {p["id"]: p for p in day_payments(api, location, DAY) if p["source_type"] == "CARD"
            and p["card_details"]["card"]["card_brand"] != "SQUARE_GIFT_CARD"}  # fmt: skip
    charges = {e["type_charge_details"]["payment_id"]: e for e in entries if e["type"] == "CHARGE"}
    assert set(charges) == set(paid)  # no offline upload that day at this store
    for payment_id, entry in charges.items():
        assert entry["gross_amount_money"] == paid[payment_id]["total_money"]
        assert entry["fee_amount_money"] == paid[payment_id]["processing_fee"][0]["amount_money"]
    refunds = [e for e in entries if e["type"] == "REFUND"]
    card_refunds = [r for r in day_refunds(api, location, DAY) if r["destination_type"] == "CARD"]
    assert len(refunds) <= len(card_refunds)  # gift card refunds go back to the card, not the bank
    listed = pages(api, "GET", "/v2/payouts", "payouts", {"location_id": location["id"]})
    statuses = {payout["id"]: payout["status"] for payout in listed}
    assert statuses[row["payout_id"]] == "PAID" and "SENT" in statuses.values()
    assert {payout["amount_money"]["amount"] for payout in listed if payout["id"] == row["payout_id"]} == {
        row["amount"]
    }


def test_gift_card_activities_follow_the_gift_card_tenders(api):
    activities = []
    for location in api.get("/v2/locations").json()["locations"]:
        start, end = local_day_range(location["timezone"], DAY)
        redeemed = day_payments(api, location, DAY, card_brand="SQUARE_GIFT_CARD")
        found = pages(api, "GET", "/v2/gift-cards/activities", "gift_card_activities",
                      {"location_id": location["id"], "begin_time": start, "end_time": end, "type": "REDEEM"})  # fmt: skip
        assert {a["redeem_activity_details"]["payment_id"]: a["redeem_activity_details"]["amount_money"] for a in found} == {
            p["id"]: p["total_money"] for p in redeemed}  # fmt: skip
        activities += found
    cards = {card["id"]: card for card in pages(api, "GET", "/v2/gift-cards", "gift_cards", {"limit": 200})}
    for card_id in {activity["gift_card_id"] for activity in activities}:
        history = pages(
            api,
            "GET",
            "/v2/gift-cards/activities",
            "gift_card_activities",
            {"gift_card_id": card_id, "sort_order": "ASC"},
        )
        signs = {"ACTIVATE": 1, "REDEEM": -1, "REFUND": 1}
        amounts = [
            signs[a["type"]] * a[f"{a['type'].lower()}_activity_details"]["amount_money"]["amount"]
            for a in history
        ]
        assert (
            history[0]["type"] == "ACTIVATE"
            and history[-1]["gift_card_balance_money"] == cards[card_id]["balance_money"]
        )
        assert sum(amounts) == cards[card_id]["balance_money"]["amount"] >= 0
    assert activities


def test_every_sale_is_rung_up_by_a_team_member_on_a_timecard(api):
    for location in api.get("/v2/locations").json()["locations"]:
        members = pages(api, "POST", "/v2/team-members/search", "team_members",
                        {"query": {"filter": {"location_ids": [location["id"]]}}})  # fmt: skip
        assert len(members) == 8 and {m["assigned_locations"]["location_ids"][0] for m in members} == {
            location["id"]
        }
        start, end = local_day_range(location["timezone"], DAY)
        cards = pages(api, "POST", "/v2/labor/timecards/search", "timecards", {"limit": 3, "query": {
            "filter": {"location_ids": [location["id"]], "start": {"start_at": start, "end_at": end}}}})  # fmt: skip
        shifts = collections.defaultdict(list)
        for card in cards:
            shifts[card["team_member_id"]].append((_utc(card["start_at"]), _utc(card["end_at"])))
        for payment in day_payments(api, location, DAY):
            sold_at = _utc(payment["created_at"])
            assert any(begin <= sold_at < finish for begin, finish in shifts[payment["team_member_id"]]), (
                payment["id"]
            )
        assert {m["id"] for m in members} >= set(shifts) and len(cards) >= 4


def _utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_loyalty_points_follow_the_customers_sales(api):
    accounts = pages(api, "POST", "/v2/loyalty/accounts/search", "loyalty_accounts", {"limit": 200})
    account = max(accounts, key=lambda a: a["lifetime_points"])
    events = pages(api, "POST", "/v2/loyalty/events/search", "events", {"query": {"filter": {
        "loyalty_account_filter": {"loyalty_account_id": account["id"]}}}})  # fmt: skip
    points = [e.get("accumulate_points", e.get("adjust_points"))["points"] for e in events]
    assert (
        sum(points) == account["balance"]
        and sum(p for p in points if p > 0) == account["lifetime_points"] > 0
    )
    earned = [e["accumulate_points"] for e in events if e["type"] == "ACCUMULATE_POINTS"]
    orders = api.post(
        "/v2/orders/batch-retrieve", json={"order_ids": [e["order_id"] for e in earned][:100]}
    ).json()["orders"]
    assert {o["customer_id"] for o in orders} == {account["customer_id"]}
    by_id = {order["id"]: order for order in orders}
    for event in earned:
        order = by_id[event["order_id"]]
        assert event["points"] == (order["total_money"]["amount"] - order["total_tip_money"]["amount"]) // 100
    found = api.post(
        "/v2/loyalty/accounts/search", json={"query": {"customer_ids": [account["customer_id"]]}}
    ).json()
    assert found["loyalty_accounts"] == [account]


def test_disputes_and_invoices_move_on_with_the_clock(square, api):
    location = api.get("/v2/locations").json()["locations"][0]
    invoices = pages(
        api,
        "POST",
        "/v2/invoices/search",
        "invoices",
        {"query": {"filter": {"location_ids": [location["id"]]}}},
    )
    disputes = pages(api, "GET", "/v2/disputes", "disputes", {})
    assert disputes and {d["state"] for d in disputes} <= {"EVIDENCE_REQUIRED", "PROCESSING", "WON", "LOST"}
    square.advance(dt.timedelta(days=45))
    later = {
        i["id"]: i
        for i in pages(
            api,
            "POST",
            "/v2/invoices/search",
            "invoices",
            {"query": {"filter": {"location_ids": [location["id"]]}}},
        )
    }
    assert invoices and {later[i["id"]]["status"] for i in invoices} <= {"PAID", "CANCELED"}
    assert all(later[i["id"]]["version"] >= i["version"] for i in invoices)
    settled = {d["id"]: d for d in pages(api, "GET", "/v2/disputes", "disputes", {})}
    assert all(settled[d["id"]]["state"] in ("WON", "LOST") for d in disputes)
    payments = {d["disputed_payment"]["payment_id"] for d in settled.values()}
    for dispute in settled.values():
        assert dispute["card_brand"] != "SQUARE_GIFT_CARD" and dispute["amount_money"]["amount"] > 0
    assert len(payments) == len(settled)


def test_operations_refuse_bad_input_with_squares_errors(square, api, location_ids):
    assert_error(api.get("/v2/cash-drawers/shifts"), 400, "MISSING_REQUIRED_PARAMETER", "location_id")
    assert_error(
        api.get("/v2/cash-drawers/shifts/NOPE", params={"location_id": location_ids[0]}), 404, "NOT_FOUND"
    )
    assert_error(api.get("/v2/payouts/po_nope/payout-entries"), 404, "NOT_FOUND")
    assert_error(api.post("/v2/team-members/search", json={"limit": 500}), 400, "VALUE_TOO_HIGH", "limit")
    assert_error(
        api.post("/v2/inventory/changes/batch-retrieve", json={"limit": 0}), 400, "VALUE_TOO_LOW", "limit"
    )
    assert_error(api.post("/v2/invoices/search", json={"query": {"filter": {"location_ids": location_ids}}}),
                 400, "ARRAY_LENGTH_TOO_LONG")  # fmt: skip
    assert_error(api.post("/v2/invoices/search", json={}), 400, "MISSING_REQUIRED_PARAMETER")
    assert_error(
        api.get("/v2/gift-cards/activities", params={"type": "STEAL"}), 400, "INVALID_ENUM_VALUE", "type"
    )
    assert_error(api.get("/v2/disputes", params={"states": "ANGRY"}), 400, "INVALID_ENUM_VALUE", "states")
    assert_error(api.put("/v2/payouts"), 405, "METHOD_NOT_ALLOWED")
    missing = httpx.get(f"{square.base_url}/_sandbox/ground-truth/weather", params={"date": "2026-10-09"})
    assert missing.status_code == 404
