"""Judges of Square's contract: the official OpenAPI schema (made strict) and the official ``squareup`` SDK."""

from __future__ import annotations

import copy
import datetime as dt
import functools
import importlib
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import fastjsonschema

# Square's official spec, copied unmodified (see square-openapi/README.md for its origin and known defects).
SPEC_PATH = Path(__file__).resolve().parent / "square-openapi" / "api.json"

# Response schema per endpoint, read from the spec's paths, and the SDK type that parses it.
ENDPOINTS = {
    ("GET", "/v2/locations"): "list_locations_response.ListLocationsResponse",
    ("POST", "/v2/orders/search"): "search_orders_response.SearchOrdersResponse",
    ("POST", "/v2/orders/batch-retrieve"): "batch_get_orders_response.BatchGetOrdersResponse",
    ("GET", "/v2/payments"): "list_payments_response.ListPaymentsResponse",
    ("GET", "/v2/refunds"): "list_payment_refunds_response.ListPaymentRefundsResponse",
    ("GET", "/v2/catalog/list"): "list_catalog_response.ListCatalogResponse",
    ("GET", "/v2/customers"): "list_customers_response.ListCustomersResponse",
    ("POST", "/v2/customers/search"): "search_customers_response.SearchCustomersResponse",
    ("POST", "/v2/catalog/search"): "search_catalog_objects_response.SearchCatalogObjectsResponse",
    (
        "POST",
        "/v2/inventory/counts/batch-retrieve",
    ): "batch_get_inventory_counts_response.BatchGetInventoryCountsResponse",
    (
        "POST",
        "/v2/inventory/changes/batch-retrieve",
    ): "batch_get_inventory_changes_response.BatchGetInventoryChangesResponse",
    ("POST", "/v2/team-members/search"): "search_team_members_response.SearchTeamMembersResponse",
    ("POST", "/v2/labor/timecards/search"): "search_timecards_response.SearchTimecardsResponse",
    ("GET", "/v2/cash-drawers/shifts"): "list_cash_drawer_shifts_response.ListCashDrawerShiftsResponse",
    (
        "GET",
        "/v2/cash-drawers/shifts/{shift_id}",
    ): "get_cash_drawer_shift_response.GetCashDrawerShiftResponse",
    (
        "GET",
        "/v2/cash-drawers/shifts/{shift_id}/events",
    ): "list_cash_drawer_shift_events_response.ListCashDrawerShiftEventsResponse",
    ("GET", "/v2/payouts"): "list_payouts_response.ListPayoutsResponse",
    (
        "GET",
        "/v2/payouts/{payout_id}/payout-entries",
    ): "list_payout_entries_response.ListPayoutEntriesResponse",
    ("GET", "/v2/disputes"): "list_disputes_response.ListDisputesResponse",
    ("GET", "/v2/gift-cards"): "list_gift_cards_response.ListGiftCardsResponse",
    ("GET", "/v2/gift-cards/activities"): "list_gift_card_activities_response.ListGiftCardActivitiesResponse",
    ("POST", "/v2/loyalty/accounts/search"): "search_loyalty_accounts_response.SearchLoyaltyAccountsResponse",
    ("POST", "/v2/loyalty/events/search"): "search_loyalty_events_response.SearchLoyaltyEventsResponse",
    ("POST", "/v2/invoices/search"): "search_invoices_response.SearchInvoicesResponse",
}


def _strip_defects(node):
    """The spec's two known defects (see its README): external ``$ref``s inside examples, one missing schema."""
    if isinstance(node, dict):
        return {
            key: _strip_defects(value) for key, value in node.items() if key not in ("example", "examples")
        }
    if isinstance(node, list):
        return [_strip_defects(value) for value in node]
    return node


def _strict(schemas: dict) -> dict:
    """No field the contract does not name: every object schema gets ``additionalProperties: false``."""
    schemas = copy.deepcopy(schemas)
    for schema in schemas.values():
        if schema.get("type") != "object" or "properties" not in schema or "additionalProperties" in schema:
            continue
        if set(schema.get("required", ())) <= set(
            schema["properties"]
        ):  # a few schemas require unlisted fields
            schema["additionalProperties"] = False
    return schemas


@functools.cache
def spec() -> dict:
    return json.loads(SPEC_PATH.read_text())


@functools.cache
def _components() -> dict:
    schemas = _strict(_strip_defects(spec()["components"]["schemas"]))
    schemas.setdefault("CatalogModifierToggleOverrideType", {"type": "string"})
    return {"schemas": schemas}


def response_schema_name(method: str, path: str) -> str:
    operation = spec()["paths"][path][method.lower()]
    return operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]


@functools.cache
def validator(schema_name: str):
    """A compiled validator: OpenAPI 3.0 schemas are a draft-4 dialect; "#/components/..." resolves in this root."""
    root = {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "$ref": f"#/components/schemas/{schema_name}",
        "components": _components(),
    }
    return fastjsonschema.compile(root, formats={"int64": lambda _: True, "binary": lambda _: True})


def assert_valid(schema_name: str, body: dict) -> None:
    try:
        validator(schema_name)(body)
    except fastjsonschema.JsonSchemaValueException as error:
        raise AssertionError(f"{schema_name}: {error.message} (at {error.path})") from None


def assert_endpoint_response(method: str, path: str, body: dict) -> object:
    """Validate a 200 body against the spec's schema for the endpoint, then parse it with the SDK's type."""
    assert_valid(response_schema_name(method, path), body)
    module_name, type_name = ENDPOINTS[(method, path)].split(".")
    sdk_type = getattr(importlib.import_module(f"square.types.{module_name}"), type_name)
    # The SDK's own path (parse_obj_as) first rewrites field aliases with slow type introspection; the models'
    # validation is the part that judges the body (test_the_sdk_pages_* runs the full client path too).
    return sdk_type.model_validate(body)


def assert_error(response, status: int, code: str, field: str | None = None) -> dict:
    """A Square error: the status, the code, and a body that is a valid ``Error`` list the SDK can read."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"errors"} and body["errors"], body
    for error in body["errors"]:
        assert_valid("Error", error)
    assert body["errors"][0]["code"] == code, body
    if field is not None:
        assert body["errors"][0].get("field") == field, body
    return body["errors"][0]


def local_day_range(timezone: str, day: dt.date) -> tuple[str, str]:
    """RFC 3339 [start, end] of a local business day; Square's ranges include both ends, so end = next day - 1 ms."""
    zone = ZoneInfo(timezone)
    start = dt.datetime.combine(day, dt.time(), zone).astimezone(dt.UTC)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), zone).astimezone(dt.UTC)
    end -= dt.timedelta(milliseconds=1)
    return _iso(start), _iso(end)


def _iso(value: dt.datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _extras(model: object, path: str) -> list[str]:
    """Fields of ``model`` (and the models inside it) that its SDK type does not declare."""
    import pydantic

    if isinstance(model, pydantic.BaseModel):
        found = [f"{path}.{name}" for name in (model.model_extra or {})]
        for name in type(model).model_fields:
            found += _extras(getattr(model, name), f"{path}.{name}")
        return found
    if isinstance(model, list | tuple):
        return [extra for index, item in enumerate(model) for extra in _extras(item, f"{path}[{index}]")]
    if isinstance(model, dict):
        return [extra for key, item in model.items() for extra in _extras(item, f"{path}.{key}")]
    return []


def assert_reporting_response(type_name: str, body: dict) -> object:
    """A Reporting API answer (not in api.json): it parses with the SDK's type, with no field the type lacks.

    ``type_name`` is ``metadata_response.MetadataResponse`` or ``load_response.LoadResponse``; a load answer's
    echoed ``query`` must also be a valid SDK ``Query``.
    """
    module_name, class_name = type_name.split(".")
    sdk_type = getattr(importlib.import_module(f"square.types.{module_name}"), class_name)
    parsed = sdk_type.model_validate(body)
    extras = _extras(parsed, class_name)
    if class_name == "LoadResponse":
        from square.types.query import Query

        extras += _extras(Query.model_validate(body["query"]), "LoadResponse.query")
    assert not extras, f"fields the SDK's types do not declare: {extras}"
    return parsed
