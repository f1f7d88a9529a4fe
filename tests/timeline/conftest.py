"""A small chain in the Square sandbox (four stores: New York, Chicago, Denver, Los Angeles; many offline sales and
refunds), and a platform that has pulled it and built its marts once for the package; each test gets a copy."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.support.sandbox import sandbox
from tests.timeline.platform import SimulatedPlatform

CHAIN_START = dt.date(2026, 10, 1)
BASE_NOW = dt.datetime(2026, 10, 12, 16, tzinfo=dt.UTC)  # noon in New York, the reporting zone
BASE_DAY = dt.date(2026, 10, 12)


@pytest.fixture(scope="package")
def chain():
    with sandbox(
        locations=4,
        orders_per_day=12,
        seed=14,
        start_date=CHAIN_START,
        now=BASE_NOW,
        offline_share=0.3,
        refund_share=0.05,
    ) as handle:
        yield handle


@pytest.fixture(scope="package")
def base(chain, tmp_path_factory) -> SimulatedPlatform:
    platform = SimulatedPlatform(chain, tmp_path_factory.mktemp("base") / "platform")
    platform.start(CHAIN_START)
    return platform


@pytest.fixture
def platform(base, chain, tmp_path) -> SimulatedPlatform:
    """A copy of the built platform, the sandbox's clock back where the copy stands."""
    chain.set_clock(BASE_NOW)
    copy = base.copy_to(tmp_path / "platform")
    yield copy
    copy.wait()
    chain.set_clock(BASE_NOW)
