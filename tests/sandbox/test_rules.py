"""Requests that break a documented Square rule get Square's documented error, in Square's error body."""

from __future__ import annotations

import httpx
import pytest

from tests.sandbox.contract import assert_error

DAY = {"start_at": "2026-10-05T00:00:00Z", "end_at": "2026-10-06T00:00:00Z"}


def _search(api: httpx.Client, **body) -> httpx.Response:
    return api.post("/v2/orders/search", json=body)


def test_missing_or_wrong_token_is_401(square):
    with httpx.Client(base_url=square.base_url) as anonymous:
        assert_error(anonymous.get("/v2/locations"), 401, "UNAUTHORIZED")
        wrong = anonymous.get("/v2/payments", headers={"Authorization": "Bearer not-the-token"})
        assert_error(wrong, 401, "UNAUTHORIZED")


def test_more_than_ten_locations_is_rejected(api, location_ids):
    assert_error(_search(api, location_ids=location_ids * 4), 400, "ARRAY_LENGTH_TOO_LONG", "location_ids")
    assert_error(_search(api, location_ids=[]), 400, "MISSING_REQUIRED_PARAMETER", "location_ids")
    assert_error(_search(api, location_ids=["LNOSUCHPLACE"]), 404, "NOT_FOUND", "location_ids")


@pytest.mark.parametrize(
    ("limit", "code"), [(1001, "VALUE_TOO_HIGH"), (0, "VALUE_TOO_LOW"), ("many", "EXPECTED_INTEGER")]
)
def test_order_limit_is_at_most_1000(api, location_ids, limit, code):
    assert_error(_search(api, location_ids=location_ids, limit=limit), 400, code, "limit")
    assert _search(api, location_ids=location_ids, limit=1000).status_code == 200


def test_date_time_filter_uses_exactly_one_field(api, location_ids):
    query = {"filter": {"date_time_filter": {"created_at": DAY, "updated_at": DAY}},
             "sort": {"sort_field": "CREATED_AT"}}  # fmt: skip
    assert_error(_search(api, location_ids=location_ids, query=query), 400, "CONFLICTING_PARAMETERS")


@pytest.mark.parametrize(("field", "sort"), [("updated_at", "CREATED_AT"), ("closed_at", "UPDATED_AT"),
                                             ("updated_at", None)])  # fmt: skip
def test_sort_field_must_match_the_filter_field(api, location_ids, field, sort):
    query = {"filter": {"date_time_filter": {field: DAY}}}
    if sort:
        query["sort"] = {"sort_field": sort}
    assert_error(
        _search(api, location_ids=location_ids, query=query), 400, "INVALID_VALUE", "query.sort.sort_field"
    )


def test_bad_times_and_enums_are_named(api, location_ids):
    bad_time = {"filter": {"date_time_filter": {"created_at": {"start_at": "yesterday"}}}}
    error = assert_error(_search(api, location_ids=location_ids, query=bad_time), 400, "INVALID_TIME")
    assert error["field"] == "query.filter.date_time_filter.created_at.start_at"
    backwards = {
        "filter": {"date_time_filter": {"created_at": {"start_at": DAY["end_at"], "end_at": DAY["start_at"]}}}
    }
    assert_error(_search(api, location_ids=location_ids, query=backwards), 400, "INVALID_TIME_RANGE")
    states = {"filter": {"state_filter": {"states": ["SHIPPED"]}}}
    assert_error(_search(api, location_ids=location_ids, query=states), 400, "INVALID_ENUM_VALUE")
    order = {"sort": {"sort_field": "CREATED_AT", "sort_order": "SIDEWAYS"}}
    assert_error(_search(api, location_ids=location_ids, query=order), 400, "INVALID_SORT_ORDER")
    assert_error(api.post("/v2/orders/search", content=b"{not json"), 400, "EXPECTED_JSON_BODY")
    assert_error(
        api.get("/v2/payments", params={"begin_time": "2026-13-01"}), 400, "INVALID_TIME", "begin_time"
    )


def test_a_cursor_only_continues_its_own_query(api, location_ids):
    query = {"filter": {"date_time_filter": {"created_at": DAY}}, "sort": {"sort_field": "CREATED_AT"}}
    first = _search(api, location_ids=location_ids, query=query, limit=5).json()
    assert first["cursor"]
    assert (
        _search(api, location_ids=location_ids, query=query, limit=5, cursor=first["cursor"]).status_code
        == 200
    )
    other = {"filter": {"date_time_filter": {"created_at": {**DAY, "end_at": "2026-10-07T00:00:00Z"}}},
             "sort": {"sort_field": "CREATED_AT"}}  # fmt: skip
    assert_error(
        _search(api, location_ids=location_ids, query=other, cursor=first["cursor"]), 400, "INVALID_CURSOR"
    )
    assert_error(
        _search(api, location_ids=location_ids[:1], query=query, cursor=first["cursor"]),
        400,
        "INVALID_CURSOR",
    )
    assert_error(
        _search(api, location_ids=location_ids, query=query, cursor="garbage!"), 400, "INVALID_CURSOR"
    )
    payments = api.get("/v2/payments", params={"limit": 3}).json()
    assert_error(api.get("/v2/payments", params={"limit": 3, "cursor": payments["cursor"], "sort_order": "ASC"}),
                 400, "INVALID_CURSOR")  # fmt: skip


def test_payments_default_to_the_main_location_and_cap_the_limit(api, location_ids):
    page = api.get("/v2/payments", params={"limit": 500}).json()
    assert len(page["payments"]) == 100  # documented: a larger limit is ignored
    assert {payment["location_id"] for payment in page["payments"]} == {location_ids[0]}
    other = api.get("/v2/payments", params={"location_id": location_ids[2], "limit": 5}).json()
    assert {payment["location_id"] for payment in other["payments"]} == {location_ids[2]}
    refunds = api.get("/v2/refunds", params={"limit": 100}).json()["refunds"]
    assert len({refund["location_id"] for refund in refunds}) > 1  # refunds: every location by default
    assert_error(
        api.get("/v2/payments", params={"location_id": "LNOSUCHPLACE"}), 404, "NOT_FOUND", "location_id"
    )


def test_customers_limit_outside_1_to_100_is_an_error(api):
    assert_error(api.get("/v2/customers", params={"limit": 101}), 400, "VALUE_TOO_HIGH", "limit")
    assert_error(api.get("/v2/customers", params={"limit": 0}), 400, "VALUE_TOO_LOW", "limit")


def test_unknown_endpoint_and_method(api):
    assert_error(api.get("/v2/orders/search"), 405, "METHOD_NOT_ALLOWED")
    assert_error(api.get("/v2/teleport"), 404, "NOT_FOUND")
