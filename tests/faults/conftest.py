"""Fixtures of the fault tests: the Square sandbox the misbehaving proxy sits in front of."""

from __future__ import annotations

import pytest

from tests.ingestion.conftest import CHAIN_NOW, CHAIN_START
from tests.support.sandbox import sandbox


@pytest.fixture(scope="session")
def fault_sandbox():
    # Refunds every day, so a refund of the day can be altered too.
    with sandbox(
        locations=3,
        orders_per_day=30,
        seed=11,
        start_date=CHAIN_START,
        now=CHAIN_NOW,
        offline_share=0.1,
        refund_share=0.2,
    ) as handle:
        yield handle
