"""A small Square chain in the sandbox, landed in a local lake and built into a warehouse once for the package."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.support.sandbox import sandbox
from tests.transform.pipeline import Pipeline, built_pipeline

CHAIN_START = dt.date(2026, 10, 1)
CHAIN_NOW = dt.datetime(2026, 10, 9, 12, tzinfo=dt.UTC)
# Raw partitions pulled: every day with sales up to the clock.
FIRST_DAY, LAST_DAY = CHAIN_START, dt.date(2026, 10, 9)


@pytest.fixture(scope="package")
def chain():
    # Many offline sales and refunds so late uploads and returns show up in a few days of data.
    with sandbox(
        locations=3,
        orders_per_day=20,
        seed=5,
        start_date=CHAIN_START,
        now=CHAIN_NOW,
        offline_share=0.15,
        refund_share=0.08,
    ) as handle:
        yield handle


@pytest.fixture(scope="package")
def built(chain, tmp_path_factory) -> Pipeline:
    """Raw days pulled from the sandbox and the warehouse built from them, partition range in one run."""
    return built_pipeline(chain, tmp_path_factory.mktemp("transform"), FIRST_DAY, LAST_DAY)
