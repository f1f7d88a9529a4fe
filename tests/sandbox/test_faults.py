"""Injected faults look like Square's bad days: 429 with Retry-After, 500/503, slowness, drops, dead cursors."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.sandbox.contract import assert_error
from tests.support.sandbox import sandbox


def test_rate_limited_answers_429_with_retry_after(square, api):
    square.set_faults(rate_limited=1.0, retry_after_seconds=3)
    response = api.get("/v2/locations")
    assert_error(response, 429, "RATE_LIMITED")
    assert response.headers["Retry-After"] == "3"
    assert httpx.get(f"{square.base_url}/_sandbox/clock").status_code == 200  # admin endpoints never fail
    square.set_faults()
    assert api.get("/v2/locations").status_code == 200


def test_server_errors_are_500_or_503(square, api):
    square.set_faults(server_error=1.0)
    statuses = {api.get("/v2/locations").status_code for _ in range(20)}
    assert statuses == {500, 503}
    square.set_faults(permanent_failure=True)
    assert_error(api.get("/v2/locations"), 500, "INTERNAL_SERVER_ERROR")


def test_dropped_connections_and_slow_answers(square, api):
    square.set_faults(drop_connection=1.0)
    with pytest.raises(httpx.RemoteProtocolError):
        api.get("/v2/locations")
    square.set_faults(slow=1.0, slow_seconds=0.4)
    started = time.monotonic()
    assert api.get("/v2/locations").status_code == 200
    assert time.monotonic() - started >= 0.4


def test_invalid_cursor_fault_rejects_only_continuations(square, api, location_ids):
    square.set_faults(invalid_cursor=1.0)
    first = api.post("/v2/orders/search", json={"location_ids": location_ids, "limit": 5})
    assert first.status_code == 200
    again = api.post(
        "/v2/orders/search", json={"location_ids": location_ids, "limit": 5, "cursor": first.json()["cursor"]}
    )
    assert_error(again, 400, "INVALID_CURSOR", "cursor")


def test_bad_fault_settings_are_refused(square):
    response = httpx.post(f"{square.base_url}/_sandbox/faults", json={"rate_limited": 2})
    assert response.status_code == 400 and "rate_limited" in response.json()["errors"][0]["detail"]
    response = httpx.post(f"{square.base_url}/_sandbox/faults", json={"gremlins": 0.5})
    assert response.status_code == 400 and "gremlins" in response.json()["errors"][0]["detail"]


def test_sdk_retries_through_rate_limits(square):
    """Square's own client backs off on 429 (honouring Retry-After) and gets through a flaky sandbox."""
    from square import Square

    square.set_faults(rate_limited=0.4, retry_after_seconds=0)
    client = Square(token=square.token, base_url=square.base_url)
    for _ in range(3):
        assert client.locations.list(request_options={"max_retries": 8}).locations
    square.set_faults()


def test_fault_flags_on_the_command_line():
    with sandbox(fault_rate_limited=1.0, fault_retry_after=2) as square:
        response = httpx.get(
            f"{square.base_url}/v2/locations", headers={"Authorization": f"Bearer {square.token}"}
        )
        assert response.status_code == 429 and response.headers["Retry-After"] == "2"
        assert square.set_faults()["rate_limited"] == 0.0
