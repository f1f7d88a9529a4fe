"""A multi-week Square chain in the sandbox — three stores in three time zones, offline uploads, refunds,
discounts, modifiers, card/cash/gift card/other tenders — landed in a lake and built into a warehouse once, and the
report marts' parity checks bound to it."""

from __future__ import annotations

import datetime as dt

import pytest

# The loopback Teams/ntfy/SMTP receivers of the alert tests, for the alerts the parity checks send.
from tests.alerts.conftest import (  # noqa: F401
    alert_environment,
    certificate,
    http_receiver,
    mailbox,
    trust_certificate,
)
from tests.support.sandbox import sandbox
from tests.transform.pipeline import Pipeline, built_pipeline

CHAIN_START = dt.date(2026, 10, 1)
CHAIN_NOW = dt.datetime(2026, 10, 22, 12, tzinfo=dt.UTC)
# Every raw day with sales up to the clock: three weeks.
FIRST_DAY, LAST_DAY = CHAIN_START, dt.date(2026, 10, 22)


@pytest.fixture(scope="package")
def chain():
    with sandbox(
        locations=3,
        orders_per_day=25,
        seed=13,
        start_date=CHAIN_START,
        now=CHAIN_NOW,
        offline_share=0.12,
        refund_share=0.08,
    ) as handle:
        yield handle


@pytest.fixture(scope="package")
def built(chain, tmp_path_factory) -> Pipeline:
    """The raw days pulled from the sandbox and the warehouse (with its gold tables) built from them."""
    return built_pipeline(chain, tmp_path_factory.mktemp("reports"), FIRST_DAY, LAST_DAY)
