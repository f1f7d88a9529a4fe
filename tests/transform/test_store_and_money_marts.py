"""The store-operations and money marts equal what the sandbox holds: its ground truth per store-day for stock,
cash drawers and payouts, its own listings for labour, gift card balances and loyalty points; the
reconciliations pass as asset checks; every mart is published by the gold layer; and after late offline uploads,
a run over the old days alone restates the stock of every later day."""

from __future__ import annotations

import datetime as dt
import decimal
from collections import defaultdict
from zoneinfo import ZoneInfo

import httpx
import pytest
from dagster import AssetCheckKey, AssetKey

from square_sales.gold.tables import MATCHES_MART_CHECK, gold_tables
from square_sales.keys import gold_asset_key
from square_sales.transform.manifest import DbtManifest
from square_sales.transform.project import dbt_manifest_path
from tests.ingestion.support import fast_api
from tests.transform.conftest import CHAIN_NOW, FIRST_DAY, LAST_DAY
from tests.transform.pipeline import Pipeline

NEW_MARTS = [
    "fct_inventory_changes",
    "inventory_on_hand_by_location",
    "fct_timecards",
    "daily_labor_by_location",
    "cash_drawer_shifts",
    "fct_payouts",
    "gift_card_liability",
    "fct_loyalty_events",
    "daily_loyalty_by_location",
    "fct_disputes",
    "fct_invoices",
    "dim_team_members",
]
RECONCILIATIONS = {
    "cash_drawer_shifts": "assert_cash_drawers_hold_the_cash_tenders",
    "fct_payouts": "assert_payouts_settle_card_payments_less_fees_and_refunds",
    "fct_inventory_changes": "assert_stock_movements_equal_units_sold",
}
STOCK = ["opening", "sold", "returned", "received", "waste", "closing"]
DRAWER = ["opened_cash", "cash_sales", "cash_refunds", "paid_in", "paid_out", "expected", "counted"]
REPORTING = ZoneInfo("America/New_York")  # the test chain's reporting zone (the settings' default)


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def operations_truth(chain, kind: str, first: dt.date, last: dt.date) -> list[dict]:
    """The sandbox's ground truth of ``kind`` (inventory, cash-drawers, payouts) for every location-day."""
    rows = []
    with httpx.Client(base_url=chain.base_url, timeout=60) as client:
        for day in _days(first, last):
            answer = client.get(f"/_sandbox/ground-truth/{kind}", params={"date": day.isoformat()})
            answer.raise_for_status()
            rows += answer.json()[kind]
    return rows


def stock_differences(pipeline: Pipeline, chain, first: dt.date, last: dt.date) -> list[str]:
    truth = {
        (row["location_id"], row["catalog_object_id"], dt.date.fromisoformat(row["date"])): [
            row[m] for m in STOCK
        ]
        for row in operations_truth(chain, "inventory", first, last)
    }
    rows = pipeline.query(
        f"select location_id, catalog_object_id, business_date, {', '.join(STOCK)} "
        "from marts.inventory_on_hand_by_location where business_date between ? and ?",
        first,
        last,
    )
    mart = {tuple(row[:3]): [int(v) for v in row[3:]] for row in rows}
    assert len(truth) >= 3 * 40 * len(_days(first, last)), "every variation of every store, every day"
    return [
        f"{key}: truth {truth.get(key)} != mart {mart.get(key)}"
        for key in truth | mart
        if truth.get(key) != mart.get(key)
    ]


def test_daily_stock_equals_the_ground_truth_for_every_variation_store_and_day(built, chain):
    assert stock_differences(built, chain, FIRST_DAY, LAST_DAY) == []
    sold, received = built.query(
        "select sum(sold), sum(received) from marts.inventory_on_hand_by_location where business_date >= ?",
        FIRST_DAY,
    )[0]
    assert sold > 0 and received > 0, "the scenario should sell and receive stock"


def test_cash_drawers_equal_the_ground_truth_per_store_day_and_shift(built, chain):
    truth = operations_truth(chain, "cash-drawers", FIRST_DAY, LAST_DAY)
    rows = built.query(
        "select shift_id, location_id, business_date, shift_state, opened_cash, cash_sales, cash_refunds, paid_in, "
        "paid_out, expected_cash, counted_cash, over_short from marts.cash_drawer_shifts"
    )
    shifts = {row[0]: row for row in rows}
    per_day = defaultdict(list)
    for row in rows:
        per_day[(row[1], row[2])].append(row)
    assert truth and sum(day["over_short"] != 0 for day in truth if day["over_short"] is not None) > 0
    for day in truth:
        drawers = per_day[(day["location_id"], dt.date.fromisoformat(day["date"]))]
        assert sorted(s[0] for s in drawers) == sorted(s["shift_id"] for s in day["shifts"])
        closed = all(s[3] == "CLOSED" for s in drawers)
        sums = [sum(s[i] for s in drawers) for i in range(4, 10)] + [
            sum(s[10] for s in drawers) if closed else None
        ]
        assert dict(zip(DRAWER, sums, strict=True)) == {m: day[m] for m in DRAWER}, day["date"]
        assert (sum(s[11] for s in drawers) if closed else None) == day["over_short"]
        for shift in day["shifts"]:
            row = shifts[shift["shift_id"]]
            assert list(row[4:11]) == [shift[m] for m in DRAWER], shift["shift_id"]


def test_payouts_equal_the_ground_truth_per_store_and_settled_day(built, chain):
    truth = operations_truth(chain, "payouts", FIRST_DAY, LAST_DAY)
    rows = built.query(
        "select payout_id, location_id, settles_from_date, settles_to_date, card_gross, fees, refunds, amount, "
        "entry_count, payout_status, expected_amount, unmatched_entries from marts.fct_payouts"
    )
    mart = {row[0]: row for row in rows}
    assert len(truth) >= 3 * 6
    for payout in truth:
        day = dt.date.fromisoformat(payout["date"])
        expected = (payout["location_id"], day, day, payout["card_payments"], payout["fees"], payout["refunds"],
                    payout["amount"], payout["entries"], payout["status"])  # fmt: skip
        assert mart[payout["payout_id"]][1:10] == expected
        # Reconciled with the sales facts: the payments and refunds it settles are all there.
        assert mart[payout["payout_id"]][10:] == (payout["amount"], 0)


def test_labour_equals_the_timecards_and_sits_next_to_the_day_net_sales(built, chain):
    with fast_api(chain) as api:
        cards = [
            c for page in api.search("v2/labor/timecards/search", {"limit": 200}, "timecards") for c in page
        ]
    expected = defaultdict(lambda: [0.0, 0])
    cent = decimal.Decimal(1)
    for card in cards:
        start = dt.datetime.fromisoformat(card["start_at"])
        if start.date() >= LAST_DAY:  # the clock's day: crews still on shift
            continue
        minutes = (dt.datetime.fromisoformat(card["end_at"]) - start).total_seconds() / 60
        minutes -= sum(
            (
                dt.datetime.fromisoformat(b["end_at"]) - dt.datetime.fromisoformat(b["start_at"])
            ).total_seconds()
            / 60
            for b in card.get("breaks", [])
            if not b["is_paid"]
        )
        # start_at is in the store's own offset: its date is the store's business day.
        totals = expected[(card["location_id"], start.date())]
        totals[0] += minutes / 60
        cost = decimal.Decimal(minutes * card["wage"]["hourly_rate"]["amount"] / 60)
        totals[1] += int(cost.quantize(cent, rounding=decimal.ROUND_HALF_UP))  # as payroll rounds
    rows = built.query(
        "select location_id, business_date, paid_hours, labor_cost, net_sales from marts.daily_labor_by_location "
        "where business_date < ?",
        LAST_DAY,
    )
    assert {(r[0], r[1]): (float(r[2]), r[3]) for r in rows} == {
        key: (round(hours, 2), cost) for key, (hours, cost) in expected.items()
    }
    net_sales = {
        (row["location_id"], dt.date.fromisoformat(row["date"])): row["net_sales"]
        for day in _days(FIRST_DAY, LAST_DAY)
        for row in chain.ground_truth(day)["days"]
    }
    assert all(row[4] == net_sales.get((row[0], row[1]), 0) for row in rows)


def test_gift_card_liability_equals_the_card_balances_at_the_end_of_each_day(built, chain):
    liability = dict(built.query("select business_date, closing_liability from marts.gift_card_liability"))
    try:
        for day in (
            FIRST_DAY + dt.timedelta(days=2),
            FIRST_DAY + dt.timedelta(days=5),
            LAST_DAY - dt.timedelta(days=1),
        ):
            end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=REPORTING)
            chain.set_clock(end - dt.timedelta(microseconds=1))
            with fast_api(chain) as api:
                balances = [
                    card["balance_money"]["amount"]
                    for page in api.list_objects("v2/gift-cards", {"limit": 200}, "gift_cards")
                    for card in page
                ]
            assert liability[day] == sum(balances), day
    finally:
        chain.set_clock(CHAIN_NOW)


def test_loyalty_points_add_up_to_each_account_balance(built):
    rows = built.query(
        "select accounts.loyalty_account_id, accounts.points_balance, coalesce(sum(events.points), 0) "
        "from staging.stg_square__loyalty_accounts as accounts "
        "left join marts.fct_loyalty_events as events using (loyalty_account_id) group by all"
    )
    assert rows and all(balance == points for _, balance, points in rows)
    assert built.query("select sum(points_earned) > 0 from marts.daily_loyalty_by_location")[0][0]


@pytest.mark.parametrize(("mart", "check"), RECONCILIATIONS.items())
def test_reconciliations_passed_as_asset_checks(built, mart, check):
    key = AssetCheckKey(AssetKey(["marts", mart]), check)
    records = built.instance.event_log_storage.get_latest_asset_check_execution_by_key([key])
    assert key in records and records[key].event.asset_check_evaluation.passed


def test_every_new_mart_is_published_by_the_gold_layer(built):
    published = {table.name for table in gold_tables(DbtManifest.load(dbt_manifest_path()))}
    assert set(NEW_MARTS) <= published
    keys = [AssetCheckKey(gold_asset_key(name), MATCHES_MART_CHECK) for name in NEW_MARTS]
    records = built.instance.event_log_storage.get_latest_asset_check_execution_by_key(keys)
    assert {
        key.asset_key.path[-1] for key in keys if records[key].event.asset_check_evaluation.passed
    } == set(NEW_MARTS)


def test_late_uploads_restate_the_stock_of_every_later_day(built, chain, tmp_path):
    pipeline = built.copy_to(tmp_path / "late")
    later = chain.advance(dt.timedelta(days=6))
    try:
        new_last = later.date()
        pipeline.pull(FIRST_DAY, new_last)
        # The later days first, then the oldest days alone (as the late-upload sensor's re-pull would run them):
        # every day after those must be restated, or the days the first run built keep what it read before the
        # oldest days' late uploads were in.
        pipeline.build(FIRST_DAY + dt.timedelta(days=3), new_last)
        pipeline.build(FIRST_DAY, FIRST_DAY + dt.timedelta(days=2))
        assert stock_differences(pipeline, chain, FIRST_DAY, new_last) == []
        late = pipeline.query(
            "select count(*) from marts.fct_inventory_changes where is_recorded_late and business_date < ?",
            LAST_DAY,
        )[0][0]
        assert late > 0, "offline sales of the old days should have been recorded late"
    finally:
        chain.set_clock(CHAIN_NOW)
