"""Square's Reporting API as the sandbox serves it: numbers equal to the sandbox's own objects, Cube query
features, "Continue wait", data freshness and the Reporting API's errors."""

from __future__ import annotations

import collections
import datetime as dt
from decimal import Decimal

import httpx
import pytest

from tests.sandbox.conftest import NOW
from tests.sandbox.contract import assert_reporting_response, local_day_range

SALES_MEASURES = ["order_count", "gross_sales", "returns", "discounts", "net_sales", "tax", "tips",
                  "total_collected", "refunds", "fees", "net_total"]  # fmt: skip
TENDER_KEYS = {"CARD": "card", "CASH": "cash", "SQUARE_GIFT_CARD": "gift_card", "OTHER": "other"}
DAY = dt.date(2026, 10, 14)


def load(api: httpx.Client, query: dict) -> httpx.Response:
    return api.post("/reporting/v1/load", json={"query": query})


def rows(api: httpx.Client, query: dict) -> list[dict]:
    response = load(api, query)
    assert response.status_code == 200, response.text
    return response.json()["data"]


def cents(value: str, money: bool = True) -> int:
    return int(Decimal(value) * 100) if money else int(value)


def one_day(view: str, day: dt.date, granularity: str | None = "day") -> list[dict]:
    spec = {"dimension": f"{view}.local_reporting_timestamp", "dateRange": [day.isoformat(), day.isoformat()]}
    return [{**spec, "granularity": granularity} if granularity else spec]


def test_meta_lists_the_views_their_members_and_the_data_freshness(api):
    body = api.get("/reporting/v1/meta").json()
    assert_reporting_response("metadata_response.MetadataResponse", body)
    views = {cube["name"]: cube for cube in body["cubes"]}
    assert set(views) == {"Sales", "ItemSales", "ModifierSales", "Discounts"}
    assert {cube["type"] for cube in body["cubes"]} == {"view"}
    sales = {measure["name"]: measure for measure in views["Sales"]["measures"]}
    assert {f"Sales.{name}" for name in SALES_MEASURES} == set(sales)
    assert (
        sales["Sales.net_sales"]["format"] == "currency" and sales["Sales.order_count"]["format"] == "number"
    )
    dimensions = {d["name"]: d["type"] for d in views["ItemSales"]["dimensions"]}
    assert dimensions["ItemSales.category_name"] == "string"
    assert dimensions["ItemSales.local_reporting_timestamp"] == "time"
    assert views["Sales"]["meta"]["lastRefreshTime"] == "2026-10-20T12:00:00.000Z"


def test_sales_equal_the_sales_summary_ground_truth(square, api):
    checked = 0
    for day in (dt.date(2026, 10, 9), DAY):
        query = {"measures": [f"Sales.{m}" for m in SALES_MEASURES], "dimensions": ["Sales.location_id"],
                 "timeDimensions": one_day("Sales", day)}  # fmt: skip
        by_location = {row["Sales.location_id"]: row for row in rows(api, query)}
        tenders = rows(api, {**query, "measures": ["Sales.total_collected"],
                             "dimensions": ["Sales.location_id", "Sales.tender_type"]})  # fmt: skip
        for truth in square.ground_truth(day)["days"]:
            row = by_location[truth["location_id"]]
            for measure in SALES_MEASURES:
                assert cents(row[f"Sales.{measure}"], measure != "order_count") == truth[measure], measure
            collected = {TENDER_KEYS[t["Sales.tender_type"]]: cents(t["Sales.total_collected"])
                         for t in tenders if t["Sales.location_id"] == truth["location_id"]}  # fmt: skip
            assert collected == {key: truth[key] for key in collected} and set(collected) >= {"card", "cash"}
            checked += 1
    assert checked == 6


def _orders(api: httpx.Client, location: dict, day: dt.date) -> list[dict]:
    start, end = local_day_range(location["timezone"], day)
    query = {"filter": {"date_time_filter": {"created_at": {"start_at": start, "end_at": end}},
                        "state_filter": {"states": ["COMPLETED"]}}}  # fmt: skip
    body = api.post(
        "/v2/orders/search", json={"location_ids": [location["id"]], "limit": 1000, "query": query}
    )
    return body.json()["orders"]


def _expected_from_orders(orders: list[dict]) -> dict[str, collections.Counter]:
    """Per view, the sums a client computes from the orders themselves (key -> measure -> cents)."""
    items, modifiers, discounts = (collections.defaultdict(collections.Counter) for _ in range(3))
    for order in orders:
        returned = "returns" in order
        sign = -1 if returned else 1
        lines = order["returns"][0]["return_line_items"] if returned else order["line_items"]
        for line in lines:
            gross = line["gross_return_money" if returned else "gross_sales_money"]["amount"]
            item = items[line["catalog_object_id"]]
            item["net_quantity"] += sign * int(line["quantity"])
            item["gross_sales" if sign > 0 else "returns"] += gross
            item["net_sales"] += sign * (gross - line["total_discount_money"]["amount"])
            for modifier in line.get("return_modifiers" if returned else "modifiers", []):
                modifiers[modifier["catalog_object_id"]]["net_sales"] += (
                    sign * modifier["total_price_money"]["amount"]
                )
        for discount in (
            order["returns"][0].get("return_discounts", []) if returned else order.get("discounts", [])
        ):
            discounts[discount["catalog_object_id"]]["amount"] += sign * discount["applied_money"]["amount"]
            discounts[discount["catalog_object_id"]]["applied_count"] += 0 if returned else 1
    return {"ItemSales": items, "ModifierSales": modifiers, "Discounts": discounts}


def test_item_modifier_and_discount_views_equal_the_orders(api):
    location = api.get("/v2/locations").json()["locations"][1]
    expected = _expected_from_orders(_orders(api, location, DAY))
    keys = {"ItemSales": "item_variation_id", "ModifierSales": "modifier_id", "Discounts": "discount_id"}
    for view, key in keys.items():
        measures = sorted({measure for sums in expected[view].values() for measure in sums})
        query = {"measures": [f"{view}.{m}" for m in measures], "dimensions": [f"{view}.{key}"],
                 "filters": [{"member": f"{view}.location_id", "operator": "equals", "values": [location["id"]]}],
                 "timeDimensions": one_day(view, DAY, granularity=None)}  # fmt: skip
        answered = {
            row[f"{view}.{key}"]: {
                m: cents(row[f"{view}.{m}"], "quantity" not in m and "count" not in m) for m in measures
            }
            for row in rows(api, query)
        }
        assert answered == {k: {m: sums[m] for m in measures} for k, sums in expected[view].items()}, view
    assert expected["ModifierSales"] and len(expected["Discounts"]) >= 2


def test_categories_team_members_and_hours_add_up_to_the_day(api):
    def total(view: str, dimension: str | None, granularity: str = "day", segments: tuple = ()) -> dict:
        query = {"measures": [f"{view}.net_sales"], "timeDimensions": one_day(view, DAY, granularity),
                 "dimensions": [f"{view}.{dimension}"] if dimension else [], "segments": list(segments)}  # fmt: skip
        return {row.get(f"{view}.{dimension}") if dimension else row[f"{view}.local_reporting_timestamp"]:
                cents(row[f"{view}.net_sales"]) for row in rows(api, query)}  # fmt: skip

    day_total = sum(total("Sales", None).values())
    categories = total("ItemSales", "category_name")
    team = total("Sales", "team_member_name")
    hours = total("Sales", None, "hour")
    assert sum(categories.values()) == sum(team.values()) == sum(hours.values()) == day_total != 0
    assert {"Apparel", "Home", "Books", "Snacks", "Beauty", "Toys"} >= set(categories) and None not in team
    sales_hours = total("Sales", None, "hour", segments=("Sales.sales_only",))
    assert len(team) >= 6 and all(8 <= int(hour[11:13]) < 21 for hour in sales_hours)  # business hours


def test_filters_segments_order_paging_and_timezones(api, location_ids):
    base = {"measures": ["Sales.net_sales", "Sales.order_count"], "dimensions": ["Sales.team_member_id"],
            "timeDimensions": one_day("Sales", DAY, granularity=None)}  # fmt: skip
    everyone = rows(api, {**base, "order": [["Sales.net_sales", "desc"]]})
    assert [cents(r["Sales.net_sales"]) for r in everyone] == sorted(
        (cents(r["Sales.net_sales"]) for r in everyone), reverse=True
    )
    assert rows(api, {**base, "order": {"Sales.net_sales": "desc"}, "limit": 2, "offset": 1}) == everyone[1:3]
    big = rows(api, {**base, "filters": [{"member": "Sales.net_sales", "operator": "gt", "values": ["500"]}]})
    assert {r["Sales.team_member_id"] for r in big} == {
        r["Sales.team_member_id"] for r in everyone if Decimal(r["Sales.net_sales"]) > 500
    }
    one = {"member": "Sales.location_id", "operator": "equals", "values": [location_ids[0]]}
    others = {"member": "Sales.location_id", "operator": "notEquals", "values": [location_ids[0]]}
    split = [
        sum(cents(r["Sales.net_sales"]) for r in rows(api, {**base, "filters": [f]})) for f in (one, others)
    ]
    assert sum(split) == sum(cents(r["Sales.net_sales"]) for r in everyone) and all(split)
    returns = rows(api, {**base, "filters": [{"or": [{"member": "Sales.order_type", "operator": "equals", "values": ["RETURN"]},
                                                     {"member": "Sales.tender_type", "operator": "contains", "values": ["gift"]}]}]})  # fmt: skip
    sales_only = rows(api, {**base, "segments": ["Sales.sales_only"], "measures": ["Sales.returns"]})
    assert returns and all(r["Sales.returns"] == "0.00" for r in sales_only)
    by_zone = {}
    for zone in ("UTC", "Pacific/Honolulu"):
        query = {"measures": ["Sales.order_count"], "timezone": zone,
                 "timeDimensions": [{"dimension": "Sales.sale_timestamp", "dateRange": ["2026-10-13", "2026-10-15"],
                                     "granularity": "day"}]}  # fmt: skip
        by_zone[zone] = {r["Sales.sale_timestamp.day"]: int(r["Sales.order_count"]) for r in rows(api, query)}
    assert by_zone["UTC"] != by_zone["Pacific/Honolulu"]
    assert rows(api, {"measures": ["Sales.order_count"], "timeDimensions": [
        {"dimension": "Sales.local_reporting_timestamp", "dateRange": "last 7 days", "granularity": "day"}]})  # fmt: skip


def test_the_official_client_reads_meta_and_load(square):
    from square import Square

    client = Square(token=square.token, base_url=square.base_url, timeout=30)
    meta = client.reporting.get_metadata()
    assert {cube.name for cube in meta.cubes} >= {"Sales", "ItemSales", "ModifierSales"}
    answer = client.reporting.load(query={"measures": ["ItemSales.quantity_sold"], "dimensions": ["ItemSales.item_name"],
                                          "time_dimensions": one_day("ItemSales", DAY)})  # fmt: skip
    assert answer.data and answer.last_refresh_time == "2026-10-20T12:00:00.000Z"


def test_a_long_query_answers_continue_wait_first(square, api):
    query = {"measures": ["Sales.net_sales"], "timeDimensions": one_day("Sales", DAY)}
    square.set_reporting(continue_wait_polls=2)
    answers = [load(api, query) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [a.json() for a in answers[:2]] == [{"error": "Continue wait"}] * 2 and answers[2].json()["data"]
    assert load(api, {**query, "limit": 5}).json() == {
        "error": "Continue wait"
    }  # another query waits on its own
    square.set_reporting(continue_wait_polls=-1)
    assert all(load(api, query).json() == {"error": "Continue wait"} for _ in range(5))
    square.set_reporting()
    assert load(api, query).json()["data"]


def test_a_stale_refresh_shows_in_meta_and_in_the_numbers(square, api):
    query = {"measures": ["Sales.order_count"], "timeDimensions": one_day("Sales", dt.date(2026, 10, 19))}
    fresh = rows(api, query)
    square.set_reporting(freshness_lag_seconds=2 * 86_400)
    meta = api.get("/reporting/v1/meta").json()
    assert {cube["meta"]["lastRefreshTime"] for cube in meta["cubes"]} == {"2026-10-18T12:00:00.000Z"}
    stale = load(api, query).json()
    assert fresh and stale["data"] == [] and stale["lastRefreshTime"] == "2026-10-18T12:00:00.000Z"
    with pytest.raises(httpx.HTTPStatusError):
        square.set_reporting(freshness_lag_seconds=-1)


@pytest.mark.parametrize(
    ("query", "mentions"),
    [
        ({"measures": ["Sales.net_profit"]}, "Sales.net_profit"),
        ({"measures": ["Sales.net_sales"], "dimensions": ["ItemSales.item_name"]}, "one view"),
        ({"measures": ["Sales.net_sales"], "segments": ["Sales.vip"]}, "Sales.vip"),
        ({"measures": ["Sales.net_sales"], "timeDimensions": [{"dimension": "Sales.sale_timestamp", "granularity": "minute"}]}, "granularity"),
        ({"measures": ["Sales.net_sales"], "timeDimensions": [{"dimension": "Sales.sale_timestamp", "dateRange": ["2026-10-14", "soon"]}]}, "soon"),
        ({"measures": ["Sales.net_sales"], "timezone": "Mars/Olympus"}, "Mars/Olympus"),
        ({"measures": ["Sales.net_sales"], "limit": 50_001}, "limit"),
        ({"measures": ["Sales.net_sales"], "filters": [{"member": "Sales.net_sales", "operator": "contains", "values": ["1"]}]}, "contains"),
        ({"dimensions": []}, "at least one"),
    ],
)  # fmt: skip
def test_a_bad_query_is_400_with_the_reporting_error_envelope(api, query, mentions):
    response = load(api, query)
    assert response.status_code == 400
    assert set(response.json()) == {"error"} and mentions in response.json()["error"]


def test_auth_and_rate_limits_use_the_reporting_error_envelope(square, api):
    with httpx.Client(base_url=square.base_url) as anonymous:
        response = anonymous.get("/reporting/v1/meta")
        assert response.status_code == 401 and set(response.json()) == {"error"}
    square.set_faults(rate_limited=1.0, retry_after_seconds=2)
    limited = api.get("/reporting/v1/meta")
    assert (
        limited.status_code == 429
        and limited.headers["Retry-After"] == "2"
        and set(limited.json()) == {"error"}
    )
    assert square.now() == NOW
