"""One small sandbox per module: 3 stores, ~30 orders a day, a generous offline share so every case shows up."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from tests.support.sandbox import SandboxHandle, sandbox

START = dt.date(2026, 10, 1)
NOW = dt.datetime(2026, 10, 20, 12, tzinfo=dt.UTC)
SMALL = {"locations": 3, "orders_per_day": 30, "start_date": START, "now": NOW, "offline_share": 0.1,
         "refund_share": 0.08}  # fmt: skip


@pytest.fixture(scope="module")
def square() -> SandboxHandle:
    with sandbox(seed=7, **SMALL) as handle:
        yield handle


@pytest.fixture
def api(square: SandboxHandle) -> httpx.Client:
    """A plain HTTP client speaking to the sandbox as Square, authenticated."""
    square.set_faults()
    square.set_reporting()
    square.set_clock(NOW)
    with httpx.Client(
        base_url=square.base_url, headers={"Authorization": f"Bearer {square.token}"}, timeout=60
    ) as client:
        yield client


@pytest.fixture
def location_ids(api: httpx.Client) -> list[str]:
    return [location["id"] for location in api.get("/v2/locations").json()["locations"]]
