"""Re-pulling one raw day (with a late offline upload, a changed order and the duplicates a busy day's paging
produces) and materializing that one partition: the affected business days change as they should, every other
day is left untouched, and staging keeps one row per order, the newest."""

from __future__ import annotations

import copy
import datetime as dt
import json
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from square_sales.ingestion.layout import ORDERS, PAYMENTS

DAY = dt.date(2026, 10, 5)  # the re-pulled raw partition (reporting zone America/New_York)
FAR_DAY = dt.date(2026, 10, 2)  # outside the window the run may rebuild
MARKER = -777


def read_rows(lake, relative: str) -> tuple[pa.Schema, list[dict]]:
    with lake.filesystem().open(lake.path(relative), "rb") as handle:
        table = pq.read_table(handle)
    return table.schema, table.to_pylist()


def write_rows(lake, relative: str, schema: pa.Schema, rows: list[dict]) -> None:
    with lake.staged_file(relative) as path:
        pq.write_table(pa.Table.from_pylist(rows, schema=schema), path)


def with_json(row: dict, **changes) -> dict:
    """A copy of a raw row whose raw_json (and matching typed columns) carry ``changes``."""
    obj = json.loads(row["raw_json"])
    obj.update({k: v for k, v in changes.items() if not k.startswith("_")})
    new = copy.deepcopy(row)
    new["raw_json"] = json.dumps(obj)
    for key in ("id", "created_at", "updated_at", "version", "state", "status", "order_id"):
        if key in changes and key in new:
            value = changes[key]
            new[key] = (
                dt.datetime.fromisoformat(value.replace("Z", "+00:00")) if key.endswith("_at") else value
            )
    return new


def rfc3339(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def sale_orders(rows: list[dict], location_id: str) -> list[dict]:
    return [
        r
        for r in rows
        if r["location_id"] == location_id
        and json.loads(r["raw_json"]).get("state") == "COMPLETED"
        and not json.loads(r["raw_json"]).get("returns")
    ]


@pytest.fixture(scope="module")
def repulled(built, tmp_path_factory):
    pipeline = built.copy_to(tmp_path_factory.mktemp("repulled") / "copy")
    locations = dict(pipeline.query("select timezone, location_id from marts.dim_locations"))
    east, west = locations["America/New_York"], locations["America/Denver"]

    orders_path, payments_path = ORDERS.partition_path(DAY), PAYMENTS.partition_path(DAY)
    order_schema, orders = read_rows(pipeline.lake, orders_path)
    payment_schema, payments = read_rows(pipeline.lake, payments_path)
    east_sales, west_sales = sale_orders(orders, east), sale_orders(orders, west)
    uploaded_at = rfc3339(dt.datetime(2026, 10, 8, 15, tzinfo=dt.UTC))

    # (a) A late offline upload in raw day DAY rung up at 00:30 New York time: 22:30 the evening before in
    # Denver, so it belongs to the Denver store's business day DAY-1, a day the run must widen to.
    rung_up = dt.datetime.combine(DAY, dt.time(0, 30), tzinfo=ZoneInfo("America/New_York"))
    template = west_sales[0]
    late_order = with_json(
        template, id="LATE-UPLOAD-1", created_at=rfc3339(rung_up), updated_at=uploaded_at, version=1
    )
    template_payment = next(
        p for p in payments if json.loads(p["raw_json"]).get("order_id") == template["id"]
    )
    late_payment = with_json(
        template_payment,
        id="LATE-PAYMENT-1",
        order_id="LATE-UPLOAD-1",
        created_at=rfc3339(rung_up),
        updated_at=uploaded_at,
        is_offline_payment=True,
        offline_payment_details={"client_created_at": rfc3339(rung_up)},
    )
    late_payment["order_id"] = "LATE-UPLOAD-1"
    late_gross = sum(
        int(li["gross_sales_money"]["amount"]) for li in json.loads(late_order["raw_json"])["line_items"]
    )

    # (b) A sale canceled since: a newer version of it.
    canceled = east_sales[0]
    canceled_json = json.loads(canceled["raw_json"])
    canceled_gross = sum(int(li["gross_sales_money"]["amount"]) for li in canceled_json["line_items"])
    canceled_update = with_json(
        canceled, state="CANCELED", updated_at=uploaded_at, version=(canceled["version"] or 0) + 1
    )

    # (c) What paging a changing day can leave in a partition.
    exact_dup, older, tie, pos = east_sales[1], east_sales[2], east_sales[3], east_sales[4]
    older_copy = with_json(
        older,
        state="OPEN",
        updated_at=rfc3339(older["updated_at"] - dt.timedelta(hours=1)),
        version=(older["version"] or 1) - 1,
    )
    tie_newer = with_json(tie, reference_id="NEWER-VERSION", version=(tie["version"] or 0) + 1)
    tie_older = with_json(tie, reference_id="OLDER-VERSION", version=(tie["version"] or 0))
    pos_without_version = with_json(pos, version=None, reference_id="EARLIER-POS")
    pos_latest = with_json(
        pos,
        version=None,
        reference_id="LATEST-POS",
        updated_at=rfc3339(pos["updated_at"] + dt.timedelta(minutes=5)),
    )
    pos_latest["version"] = pos_without_version["version"] = None
    replaced = {tie["id"], pos["id"]}
    new_orders = [r for r in orders if r["id"] not in replaced]
    new_orders += [late_order, canceled_update, exact_dup, older_copy, tie_older, tie_newer]
    new_orders += [pos_latest, pos_without_version]
    write_rows(pipeline.lake, orders_path, order_schema, new_orders)
    write_rows(pipeline.lake, payments_path, payment_schema, [*payments, late_payment])

    # Mark mart rows of a far day: a run for DAY must not rewrite them.
    with __import__("duckdb").connect(str(pipeline.database_path)) as connection:
        connection.execute(
            f"update marts.daily_sales_by_location set tips = {MARKER} where business_date = ?", [FAR_DAY]
        )
        connection.execute(
            f"update marts.fct_orders set order_version = {MARKER} where business_date = ?", [FAR_DAY]
        )

    before = {(r[0], r[1]): r[2:] for r in pipeline.query(SALES)}
    result = pipeline.build(DAY, DAY)
    return {
        "pipeline": pipeline,
        "result": result,
        "before": before,
        "after": {(r[0], r[1]): r[2:] for r in pipeline.query(SALES)},
        "east": east,
        "west": west,
        "late_gross": late_gross,
        "canceled": canceled["id"],
        "canceled_day": canceled["created_at"].astimezone(ZoneInfo("America/New_York")).date(),
        "canceled_gross": canceled_gross,
        "ids": {"exact_dup": exact_dup["id"], "older": older["id"], "tie": tie["id"], "pos": pos["id"]},
        "older_state": json.loads(older["raw_json"])["state"],
    }


SALES = (
    "select location_id, business_date, order_count, gross_sales, tips from marts.daily_sales_by_location "
    "order by location_id, business_date"
)


def test_the_repulled_day_and_the_day_its_late_upload_belongs_to_are_updated(repulled):
    before, after = repulled["before"], repulled["after"]
    west_evening = (repulled["west"], DAY - dt.timedelta(days=1))
    assert after[west_evening][0] == before[west_evening][0] + 1
    assert after[west_evening][1] == before[west_evening][1] + repulled["late_gross"]
    canceled_day = (repulled["east"], repulled["canceled_day"])
    assert after[canceled_day][0] == before[canceled_day][0] - 1
    assert after[canceled_day][1] == before[canceled_day][1] - repulled["canceled_gross"]
    state = repulled["pipeline"].query(
        "select order_state from marts.fct_orders where order_id = ?", repulled["canceled"]
    )
    assert state == [("CANCELED",)]


def test_other_days_are_left_untouched(repulled):
    before, after = repulled["before"], repulled["after"]
    changed = {(repulled["west"], DAY - dt.timedelta(days=1)), (repulled["east"], repulled["canceled_day"])}
    assert set(after) == set(before)
    assert {key: after[key] for key in after if key not in changed} == {
        key: before[key] for key in before if key not in changed
    }
    # The far day still carries the marks put on it before the run: it was not rewritten.
    far = [value for key, value in after.items() if key[1] == FAR_DAY]
    assert far and all(value[2] == MARKER for value in far)
    versions = repulled["pipeline"].query(
        "select distinct order_version from marts.fct_orders where business_date = ?", FAR_DAY
    )
    assert versions == [(MARKER,)]


def test_no_duplicates_after_the_rebuild(repulled):
    pipeline = repulled["pipeline"]
    for table, key in [
        ("fct_orders", "order_id"),
        ("fct_order_line_items", "order_line_item_id"),
        ("fct_payments", "payment_id"),
        ("daily_sales_by_location", "location_id, business_date"),
    ]:
        total, distinct = pipeline.query(f"select count(*), count(distinct ({key})) from marts.{table}")[0]
        assert total == distinct, table


def test_staging_keeps_one_row_per_order_the_newest(repulled):
    ids = repulled["ids"]
    rows = repulled["pipeline"].query(
        "select order_id, order_state, reference_id from staging.stg_square__orders where order_id in (?, ?, ?, ?)",
        ids["exact_dup"],
        ids["older"],
        ids["tie"],
        ids["pos"],
    )
    by_id = {}
    for order_id, state, reference in rows:
        assert order_id not in by_id, f"{order_id} appears more than once"
        by_id[order_id] = (state, reference)
    assert set(by_id) == set(ids.values())
    assert by_id[ids["older"]][0] == repulled["older_state"], "the older copy must not win"
    assert by_id[ids["tie"]][1] == "NEWER-VERSION", "same updated_at: the higher version wins"
    assert by_id[ids["pos"]][1] == "LATEST-POS", "no version (POS): the latest updated_at wins"
