"""Rate limits, server errors, dropped connections and bad cursors do not cost data; a dead Square costs nothing."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from data_platform.resources.lake import LakeResource
from square_sales.ingestion.client import SquareAuthError, SquareUnavailableError
from square_sales.ingestion.layout import ORDERS, PAYMENTS
from square_sales.ingestion.pull import pull_day
from tests.ingestion.support import day_bounds, fast_api, read_partition

DAY = dt.date(2026, 11, 14)
TIMEZONE = "America/New_York"


def test_twenty_percent_faults_still_give_the_complete_day(lake, healthy_sandbox):
    start, end = day_bounds(DAY, TIMEZONE)
    expected = {
        entity: {row["id"] for row in healthy_sandbox.truth(entity.name, start, end)}
        for entity in (ORDERS, PAYMENTS)
    }
    healthy_sandbox.set_faults(
        rate_limited=0.08, server_error=0.06, drop_connection=0.06, invalid_cursor=0.1, retry_after_seconds=0
    )
    restarts = 0
    # Pages of 7 objects: every query needs cursors, so invalid cursors hit too.
    with fast_api(healthy_sandbox, page_limit=7) as api:
        location_ids = [location["id"] for location in api.list_locations()]
        for entity in (ORDERS, PAYMENTS):
            stats = pull_day(api, lake, entity, DAY, TIMEZONE, location_ids, run_id="faulty")
            restarts += stats.cursor_restarts
            ids = read_partition(lake, entity.partition_path(DAY)).column("id").to_pylist()
            assert sorted(ids) == sorted(expected[entity])
        assert api.stats.retries > 0, "the faults should have forced retries"
    assert restarts > 0, "the invalid cursors should have restarted queries"


def test_retry_after_is_honoured_and_total_time_is_bounded(healthy_sandbox):
    healthy_sandbox.set_faults(rate_limited=1.0, retry_after_seconds=1)
    with fast_api(healthy_sandbox, max_total_seconds=2.5) as api:
        started = time.monotonic()
        with pytest.raises(SquareUnavailableError, match="RATE_LIMITED") as failure:
            api.list_locations()
        elapsed = time.monotonic() - started
    # Our own backoff steps are <= 0.2 s: only Retry-After explains waiting a second between attempts.
    assert api.stats.retries == 2
    assert 2.0 <= elapsed < 4.0
    assert healthy_sandbox.token not in str(failure.value)


def test_permanent_failure_keeps_the_previous_partition(tmp_path, healthy_sandbox):
    lake = LakeResource(root_url=str(tmp_path / "lake"))
    with fast_api(healthy_sandbox, max_total_seconds=1.5) as api:
        location_ids = [location["id"] for location in api.list_locations()]
        pull_day(api, lake, ORDERS, DAY, TIMEZONE, location_ids, run_id="good")
        good = lake.read_bytes(ORDERS.partition_path(DAY))
        healthy_sandbox.set_faults(permanent_failure=True)
        with pytest.raises(SquareUnavailableError, match="still failing") as failure:
            pull_day(api, lake, ORDERS, DAY, TIMEZONE, location_ids, run_id="bad")
    assert "orders/search" in str(failure.value)
    assert healthy_sandbox.token not in str(failure.value)
    assert lake.read_bytes(ORDERS.partition_path(DAY)) == good
    assert lake.find("raw/square/orders") == [ORDERS.partition_path(DAY)]


def test_wrong_token_is_refused_clearly_without_echoing_it(healthy_sandbox):
    from square_sales.ingestion.client import SquareApi

    wrong = "wrong-token-9a8b7c6d"
    with SquareApi(healthy_sandbox.base_url, wrong) as api, pytest.raises(SquareAuthError) as failure:
        api.list_locations()
    assert "SQUARE_ACCESS_TOKEN" in str(failure.value)
    assert wrong not in str(failure.value)
