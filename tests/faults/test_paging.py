"""The paging helper on a healthy day: every page followed to the end, progress logged at intervals, every object
accounted for; and a long listing that the bounds must not cut short."""

from __future__ import annotations

import datetime as dt
import logging

from square_sales.ingestion.client import PagingLimits, RetryPolicy, SquareApi
from square_sales.ingestion.layout import ORDERS, PAYMENTS
from square_sales.ingestion.pull import pull_day
from tests.faults.scenarios import DAY, TIMEZONE, _truth_ids


def test_progress_is_logged_and_every_object_accounted_for(fault_sandbox, tmp_path, caplog):
    from data_platform.resources.lake import LakeResource

    fault_sandbox.set_faults()
    lake = LakeResource(root_url=str(tmp_path / "lake"))
    log = logging.getLogger("tests.faults.paging")
    api = SquareApi(
        fault_sandbox.base_url,
        fault_sandbox.token,
        retry=RetryPolicy(max_total_seconds=10, base_delay_seconds=0.01),
        orders_page_limit=7,
        list_page_limit=7,
        paging=PagingLimits(progress_every_seconds=0.0),
        log=log,
    )
    with api, caplog.at_level(logging.INFO, logger=log.name):
        location_ids = api.location_ids()
        for entity in (ORDERS, PAYMENTS):
            stats = pull_day(api, lake, entity, DAY, TIMEZONE, location_ids, run_id="paging")
            assert stats.rows == len(_truth_ids(fault_sandbox, entity))
            assert (
                stats.objects_received == stats.rows + stats.duplicates_skipped + stats.outside_range_skipped
            )
            assert stats.pages > 3
    progress = [r.getMessage() for r in caplog.records if "so far" in r.getMessage()]
    assert any(
        m.startswith("Square POST /v2/orders/search: 2 page(s), 14 object(s) so far") for m in progress
    )
    assert any(m.startswith("Square GET /v2/payments (location ") for m in progress)
    assert any("done," in r.getMessage() for r in caplog.records)


def test_bounds_do_not_cut_a_healthy_listing_short(fault_sandbox, tmp_path):
    from data_platform.resources.lake import LakeResource

    fault_sandbox.set_faults()
    lake = LakeResource(root_url=str(tmp_path / "lake"))
    # One object per page: a query of dozens of pages, under a bound that is only just above it.
    with SquareApi(
        fault_sandbox.base_url, fault_sandbox.token, orders_page_limit=1, paging=PagingLimits(max_pages=1000)
    ) as api:
        stats = pull_day(
            api, lake, ORDERS, DAY + dt.timedelta(days=1), TIMEZONE, api.location_ids(), "bounds"
        )
    assert stats.pages >= stats.rows > 20
