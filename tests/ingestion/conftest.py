"""Fixtures for the ingestion tests: a small Square sandbox chain (3 locations in 3 time zones) over HTTP."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.support.sandbox import sandbox

# A fixed clock: pull tests are about what Square holds "now", whatever the real date.
CHAIN_NOW = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)
CHAIN_START = dt.date(2026, 10, 25)


@pytest.fixture(scope="module")
def square_sandbox():
    with sandbox(
        locations=3, orders_per_day=30, seed=11, start_date=CHAIN_START, now=CHAIN_NOW, offline_share=0.1
    ) as handle:
        yield handle


@pytest.fixture
def healthy_sandbox(square_sandbox):
    """The module's sandbox with faults switched off before and after the test."""
    square_sandbox.set_faults()
    yield square_sandbox
    square_sandbox.set_faults()
