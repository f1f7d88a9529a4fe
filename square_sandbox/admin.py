"""The ``/_sandbox`` admin endpoints (no auth, loopback only): clock, faults, Reporting API switches, scopes,
type drift, and the ground truth the platform's tests compare with."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING

import orjson

from square_sandbox.errors import bad_request, not_found
from square_sandbox.faults import FaultSettings
from square_sandbox.params import QueryParams, business_day, json_object, location_param, single
from square_sandbox.reference_api import surprise_object
from square_sandbox.timeutil import InvalidTime, format_us, parse_rfc3339
from square_sandbox.truth import location_day_summary, truth_row
from square_sandbox.world import Location

if TYPE_CHECKING:
    from square_sandbox.server import Sandbox

TRUTH_KINDS = {"orders": "order", "payments": "payment", "refunds": "refund"}


class Admin:
    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def answer(self, method: str, path: str, query: QueryParams, body: bytes) -> tuple[int, bytes]:
        if path == "/_sandbox/clock":
            return 200, self._clock(method, body)
        if path == "/_sandbox/faults":
            return 200, self._faults(method, body)
        if path == "/_sandbox/reporting":
            return 200, self._reporting(method, body)
        if path == "/_sandbox/scopes":
            return 200, self._scopes(method, body)
        if path == "/_sandbox/drift":
            return 200, self._drift(method, body)
        if path == "/_sandbox/ground-truth" and method == "GET":
            return 200, self._ground_truth(query)
        if path.startswith("/_sandbox/ground-truth/") and method == "GET":
            return 200, self._operations_truth(path.rsplit("/", 1)[-1], query)
        if path.startswith("/_sandbox/truth/") and method == "GET":
            return 200, self._truth(path, query)
        raise not_found(f"Unknown admin endpoint {method} {path}.")

    def _clock(self, method: str, body: bytes) -> bytes:
        if method == "POST":
            request = json_object(body, "body")
            if "now" in request:
                try:
                    self.sandbox.clock.set(parse_rfc3339(request["now"]))
                except InvalidTime as error:
                    raise bad_request("INVALID_TIME", str(error), "now") from None
            elif "advance_seconds" in request:
                seconds = request["advance_seconds"]
                if isinstance(seconds, bool) or not isinstance(seconds, int | float):
                    raise bad_request(
                        "EXPECTED_FLOAT", "advance_seconds must be a number.", "advance_seconds"
                    )
                self.sandbox.clock.advance(seconds)
            else:
                raise bad_request("MISSING_REQUIRED_PARAMETER", "Send `now` or `advance_seconds`.")
        return orjson.dumps({"now": format_us(self.sandbox.clock.now())})

    def _faults(self, method: str, body: bytes) -> bytes:
        if method == "POST":
            try:
                self.sandbox.faults.replace(FaultSettings.from_mapping(json_object(body, "body")))
            except (TypeError, ValueError) as error:
                raise bad_request("INVALID_VALUE", str(error)) from None
        return orjson.dumps(self.sandbox.faults.settings.as_dict())

    def _reporting(self, method: str, body: bytes) -> bytes:
        if method == "POST":
            try:
                self.sandbox.reporting.configure(json_object(body, "body"))
            except (TypeError, ValueError) as error:
                raise bad_request("INVALID_VALUE", str(error)) from None
        return orjson.dumps(dataclasses.asdict(self.sandbox.reporting.settings))

    def _scopes(self, method: str, body: bytes) -> bytes:
        if method == "POST":
            try:
                self.sandbox.grants.configure(json_object(body, "body"))
            except ValueError as error:
                raise bad_request("INVALID_VALUE", str(error)) from None
        return orjson.dumps({"granted": sorted(self.sandbox.grants.granted)})

    def _drift(self, method: str, body: bytes) -> bytes:
        if method == "POST":
            request = json_object(body, "body")
            try:
                self.sandbox.reference.surprise = surprise_object(
                    request.get("catalog_object_type"), self.sandbox.world
                )
            except ValueError as error:
                raise bad_request("INVALID_VALUE", str(error), "catalog_object_type") from None
        surprise = self.sandbox.reference.surprise
        return orjson.dumps({"catalog_object_type": surprise["type"] if surprise else None})

    def _ground_truth(self, query: QueryParams) -> bytes:
        day, locations = self._location_days(query)
        now = self.sandbox.clock.now()
        days = [location_day_summary(self.sandbox.store, location, day, now) for location in locations]
        return orjson.dumps({"as_of": format_us(now), "days": days})

    def _operations_truth(self, kind: str, query: QueryParams) -> bytes:
        day, locations = self._location_days(query)
        now = self.sandbox.clock.now()
        return orjson.dumps(
            {"as_of": format_us(now), kind: self.sandbox.truths.rows(kind, locations, day, now)}
        )

    def _location_days(self, query: QueryParams) -> tuple[dt.date, list[Location]]:
        """``date`` and ``location_id`` (every location when absent) of a ground-truth request."""
        day = business_day(single(query, "date") or "")
        location_id = single(query, "location_id")
        if location_id:
            return day, [location_param(self.sandbox.world, location_id, "location_id")]
        return day, list(self.sandbox.world.locations)

    def _truth(self, path: str, query: QueryParams) -> bytes:
        plural = path.rsplit("/", 1)[-1]
        if plural not in TRUTH_KINDS:
            raise not_found(f"No truth for {path}.")
        try:
            start = parse_rfc3339(single(query, "start") or "")
            end = parse_rfc3339(single(query, "end") or "")
        except InvalidTime as error:
            raise bad_request("INVALID_TIME", f"start and end must be RFC 3339: {error}") from None
        now = self.sandbox.clock.now()
        ranges = {"created_at": (start, end - 1)}
        records = self.sandbox.store.all_records(
            TRUTH_KINDS[plural], self.sandbox.world.locations, ranges, now
        )
        return orjson.dumps({plural: [truth_row(record) for record in records]})
