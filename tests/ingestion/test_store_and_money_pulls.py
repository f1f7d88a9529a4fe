"""The chain's other objects land as Square holds them: each day's partition holds exactly the objects of that
business day (compared with Square's own unfiltered listings, filed by the test), children carry their parent,
drawer shifts land in full, a range scan equals day-by-day pulls, and snapshots hold every object."""

from __future__ import annotations

import datetime as dt

import orjson
import pytest

from data_platform.resources.lake import LakeResource
from square_sales.ingestion.layout import (
    CASH_DRAWER_SHIFT_EVENTS,
    CASH_DRAWER_SHIFTS,
    DISPUTES,
    GIFT_CARD_ACTIVITIES,
    GIFT_CARDS,
    INVENTORY_CHANGES,
    INVENTORY_COUNTS,
    INVOICES,
    LOYALTY_ACCOUNTS,
    LOYALTY_EVENTS,
    PAYOUT_ENTRIES,
    PAYOUTS,
    TEAM_MEMBERS,
    TIMECARDS,
)
from square_sales.ingestion.pull import pull_day, pull_days, pull_snapshot
from tests.ingestion.conftest import CHAIN_NOW
from tests.ingestion.support import day_bounds, fast_api, read_partition

DAY = dt.date(2026, 11, 12)
TIMEZONE = "America/Chicago"


def _listing(api, method: str, path: str, key: str, **request) -> list[dict]:
    """Every object of an unfiltered listing, through the client's paging."""
    if method == "GET":
        return [o for page in api.list_objects(path, request, key) for o in page]
    return [o for page in api.search(path, request, key) for o in page]


def _on(day: dt.date, moment: str) -> bool:
    start, end = day_bounds(day, TIMEZONE)
    return start <= dt.datetime.fromisoformat(moment) < end


def _detail(change: dict) -> dict:
    return change.get("adjustment") or change.get("physical_count") or change["transfer"]


def _expected(api, location_ids: list[str]) -> dict:
    """Per entity, the ids Square lists (no time filter) whose own time falls on DAY, filed by the test."""
    changes = _listing(api, "POST", "v2/inventory/changes/batch-retrieve", "changes", limit=1000)
    timecards = _listing(api, "POST", "v2/labor/timecards/search", "timecards", limit=200)
    shifts = [
        shift
        for location_id in location_ids
        for shift in _listing(
            api, "GET", "v2/cash-drawers/shifts", "cash_drawer_shifts", location_id=location_id
        )
    ]
    payouts = [
        payout
        for location_id in location_ids
        for payout in _listing(api, "GET", "v2/payouts", "payouts", location_id=location_id)
    ]
    activities = _listing(api, "GET", "v2/gift-cards/activities", "gift_card_activities")
    events = _listing(api, "POST", "v2/loyalty/events/search", "events", limit=30)
    return {
        INVENTORY_CHANGES: {_detail(c)["id"] for c in changes if _on(DAY, _detail(c)["occurred_at"])},
        TIMECARDS: {t["id"] for t in timecards if _on(DAY, t["start_at"])},
        CASH_DRAWER_SHIFTS: {s["id"] for s in shifts if _on(DAY, s["opened_at"])},
        PAYOUTS: {p["id"] for p in payouts if _on(DAY, p["created_at"])},
        GIFT_CARD_ACTIVITIES: {a["id"] for a in activities if _on(DAY, a["created_at"])},
        LOYALTY_EVENTS: {e["id"] for e in events if _on(DAY, e["created_at"])},
    }


def test_each_day_holds_exactly_its_objects(tmp_path, healthy_sandbox):
    lake = LakeResource(root_url=str(tmp_path / "lake"))
    with fast_api(healthy_sandbox) as api:
        location_ids = api.location_ids()
        expected = _expected(api, location_ids)
        for entity, ids in expected.items():
            stats = pull_day(api, lake, entity, DAY, TIMEZONE, location_ids, run_id="day")
            table = read_partition(lake, entity.partition_path(DAY))
            assert set(table.column("id").to_pylist()) == ids, entity.name
            assert stats.rows == table.num_rows == len(ids) > 0, entity.name
            assert (
                stats.objects_received == stats.rows + stats.duplicates_skipped + stats.outside_range_skipped
            )
            assert stats.null_key_rows == 0 and stats.malformed.total == 0, entity.name
            assert all(orjson.loads(raw) for raw in table.column("raw_json").to_pylist())


def test_children_carry_their_parent_and_shifts_land_in_full(tmp_path, healthy_sandbox):
    lake = LakeResource(root_url=str(tmp_path / "lake"))
    with fast_api(healthy_sandbox) as api:
        location_ids = api.location_ids()
        for entity in (CASH_DRAWER_SHIFTS, CASH_DRAWER_SHIFT_EVENTS, PAYOUTS, PAYOUT_ENTRIES):
            pull_day(api, lake, entity, DAY, TIMEZONE, location_ids, run_id="children")
    shifts = read_partition(lake, CASH_DRAWER_SHIFTS.partition_path(DAY)).to_pylist()
    events = read_partition(lake, CASH_DRAWER_SHIFT_EVENTS.partition_path(DAY)).to_pylist()
    payouts = read_partition(lake, PAYOUTS.partition_path(DAY)).to_pylist()
    entries = read_partition(lake, PAYOUT_ENTRIES.partition_path(DAY)).to_pylist()

    # The listing's summary has no cash sales: the partition holds each shift as RetrieveCashDrawerShift answers.
    assert all("cash_payment_money" in orjson.loads(s["raw_json"]) for s in shifts)
    cash_events = {}
    for event in events:
        cash_events.setdefault(event["cash_drawer_shift_id"], []).append(event)
    assert set(cash_events) <= {s["id"] for s in shifts}
    for shift in shifts:
        payments = [e for e in cash_events.get(shift["id"], []) if e["event_type"] == "CASH_TENDER_PAYMENT"]
        assert sum(e["event_money_amount"] for e in payments) == shift["cash_payment_money_amount"]
        assert {e["location_id"] for e in cash_events.get(shift["id"], [])} <= {shift["location_id"]}

    by_payout = {}
    for entry in entries:
        by_payout.setdefault(entry["payout_id"], []).append(entry)
    assert set(by_payout) == {p["id"] for p in payouts}
    for payout in payouts:
        assert (
            sum(e["net_amount_money_amount"] for e in by_payout[payout["id"]])
            == payout["amount_money_amount"]
        )
        assert {e["location_id"] for e in by_payout[payout["id"]]} == {payout["location_id"]}


def test_a_range_scan_files_each_change_under_its_own_day(tmp_path, healthy_sandbox):
    days = [DAY + dt.timedelta(days=offset) for offset in range(3)]
    one_scan = LakeResource(root_url=str(tmp_path / "scan"))
    day_by_day = LakeResource(root_url=str(tmp_path / "days"))
    with fast_api(healthy_sandbox, page_limit=50) as api:
        location_ids = api.location_ids()
        scanned = dict(pull_days(api, one_scan, INVENTORY_CHANGES, days, TIMEZONE, location_ids, "scan"))
        requests_of_scan = api.stats.requests
        for day in days:
            pull_day(api, day_by_day, INVENTORY_CHANGES, day, TIMEZONE, location_ids, "day")
        requests_day_by_day = api.stats.requests - requests_of_scan
    assert list(scanned) == days
    for day in days:
        scan = read_partition(one_scan, INVENTORY_CHANGES.partition_path(day))
        alone = read_partition(day_by_day, INVENTORY_CHANGES.partition_path(day))
        assert sorted(scan.column("id").to_pylist()) == sorted(alone.column("id").to_pylist())
        assert scanned[day].rows == scan.num_rows > 0
        start, end = day_bounds(day, TIMEZONE)
        assert all(start <= moment < end for moment in scan.column("occurred_at").to_pylist())
    # Pages read once for the range: fewer requests than three scans from each day on.
    assert requests_of_scan < requests_day_by_day


@pytest.mark.parametrize(
    ("entity", "method", "path", "request_body"),
    [
        (TEAM_MEMBERS, "POST", "v2/team-members/search", {"limit": 200}),
        (DISPUTES, "GET", "v2/disputes", {}),
        (GIFT_CARDS, "GET", "v2/gift-cards", {"limit": 200}),
        (LOYALTY_ACCOUNTS, "POST", "v2/loyalty/accounts/search", {"limit": 200}),
    ],
)
def test_snapshots_hold_every_object(tmp_path, healthy_sandbox, entity, method, path, request_body):
    lake = LakeResource(root_url=str(tmp_path / "lake"))
    with fast_api(healthy_sandbox) as api:
        ids = {o["id"] for o in _listing(api, method, path, entity.response_key, **request_body)}
        stats = pull_snapshot(api, lake, entity, CHAIN_NOW, run_id="snapshot")
    table = read_partition(lake, entity.snapshot_path(CHAIN_NOW))
    assert set(table.column("id").to_pylist()) == ids
    assert stats.rows == len(ids) > 0


def test_per_location_snapshots_ask_every_location(tmp_path, healthy_sandbox):
    lake = LakeResource(root_url=str(tmp_path / "lake"))
    with fast_api(healthy_sandbox) as api:
        location_ids = api.location_ids()
        for entity in (INVENTORY_COUNTS, INVOICES):
            pull_snapshot(api, lake, entity, CHAIN_NOW, run_id="snapshot")
    counts = read_partition(lake, INVENTORY_COUNTS.snapshot_path(CHAIN_NOW)).to_pylist()
    invoices = read_partition(lake, INVOICES.snapshot_path(CHAIN_NOW)).to_pylist()
    assert {c["location_id"] for c in counts} == {i["location_id"] for i in invoices} == set(location_ids)
    # A count has no id of its own: variation, location and state make one.
    assert all(c["id"] == f"{c['catalog_object_id']}:{c['location_id']}:{c['state']}" for c in counts)
    assert len({c["id"] for c in counts}) == len(counts)
