"""daily_sales_by_location equals the sandbox's ground truth (Square's Sales Summary) for every location-day,
before and after late offline uploads and refunds arrive, and a full rebuild from the lake equals the result
of the incremental runs."""

from __future__ import annotations

import datetime as dt

from tests.transform.conftest import CHAIN_NOW, FIRST_DAY, LAST_DAY
from tests.transform.pipeline import MART_TABLES, Pipeline

MEASURES = [
    "order_count",
    "gross_sales",
    "returns",
    "discounts",
    "net_sales",
    "tax",
    "tips",
    "total_collected",
    "refunds",
    "currency",
]


def days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def ground_truth(chain, first: dt.date, last: dt.date) -> dict[tuple[str, dt.date], dict]:
    truth = {}
    for day in days(first, last):
        for row in chain.ground_truth(day)["days"]:
            truth[(row["location_id"], dt.date.fromisoformat(row["date"]))] = {m: row[m] for m in MEASURES}
    return truth


def mart(pipeline: Pipeline, first: dt.date, last: dt.date) -> dict[tuple[str, dt.date], dict]:
    rows = pipeline.query(
        f"select location_id, business_date, {', '.join(MEASURES)} from marts.daily_sales_by_location "
        "where business_date between ? and ?",
        first,
        last,
    )
    return {(row[0], row[1]): dict(zip(MEASURES, row[2:], strict=True)) for row in rows}


def differences(expected: dict, actual: dict) -> list[str]:
    found = []
    for key in sorted(set(expected) | set(actual)):
        want, got = expected.get(key), actual.get(key)
        # A location-day without any sale is absent from the mart; the truth may list it with zeros.
        if got is None and want is not None and not any(v for k, v in want.items() if k != "currency"):
            continue
        if want != got:
            found.append(f"{key}: truth {want} != mart {got}")
    return found


def test_daily_sales_equal_the_ground_truth_for_every_location_day(built, chain):
    truth = ground_truth(chain, FIRST_DAY, LAST_DAY)
    assert len(truth) >= 3 * 8, "the sandbox should have sold on most location-days"
    assert differences(truth, mart(built, FIRST_DAY, LAST_DAY)) == []
    assert sum(day["refunds"] for day in truth.values()) > 0, "the scenario should include refunds"
    assert sum(day["returns"] for day in truth.values()) > 0, "the scenario should include returns"


def test_late_uploads_and_refunds_reach_the_marts_and_a_full_rebuild_equals_the_increments(
    built, chain, tmp_path
):
    before = ground_truth(chain, FIRST_DAY, LAST_DAY)
    pipeline = built.copy_to(tmp_path / "incremental")
    later = chain.advance(dt.timedelta(days=6))
    try:
        # What the backfill window and the late-upload sensor do: re-pull the affected days, then the daily
        # models of those partitions run (here launched directly, as the automation sensor would).
        new_last = later.date()
        pipeline.pull(FIRST_DAY, new_last)
        pipeline.build(FIRST_DAY, new_last)

        after = ground_truth(chain, FIRST_DAY, new_last)
        changed = [key for key in before if before[key] != after.get(key)]
        assert changed, "offline uploads and refunds should have changed some past location-days"
        assert differences(after, mart(pipeline, FIRST_DAY, new_last)) == []

        late = pipeline.query(
            "select sum(offline_payment_count), sum(late_payment_count), max(upload_lag_max_minutes) "
            "from marts.daily_late_arrivals_by_location"
        )[0]
        assert late[0] > 0 and late[1] > 0 and late[2] > 60, late

        # The same lake into an empty warehouse with the rebuild_warehouse job (full refresh, no Square call).
        rebuilt = pipeline.copy_with_empty_warehouse(tmp_path / "rebuilt")
        rebuilt.rebuild_warehouse(FIRST_DAY, new_last)
        for table in MART_TABLES:
            assert rebuilt.table(table) == pipeline.table(table), f"{table} differs after a full rebuild"
    finally:
        chain.set_clock(CHAIN_NOW)
