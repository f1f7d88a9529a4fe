"""Schema drift never breaks a pull: unknown fields travel in raw_json, missing ones become nulls."""

from __future__ import annotations

import datetime as dt

import orjson

from square_sales.ingestion.layout import ORDERS, PAYMENTS


def test_new_and_missing_fields_keep_the_schema():
    drifted = {
        "id": "ORDER-1",
        "location_id": "L1",
        "created_at": "2026-11-01T12:00:00.123Z",
        "updated_at": "2026-11-03T08:00:00Z",
        "state": "COMPLETED",
        "brand_new_field": {"nested": [1, 2, 3]},
        # no version, no closed_at, no total_money: Square may omit them
    }
    batch = ORDERS.to_batch([drifted], dt.datetime(2026, 11, 4, tzinfo=dt.UTC), "run-1")
    assert batch.schema == ORDERS.schema
    row = batch.to_pylist()[0]
    assert row["version"] is None and row["total_money_amount"] is None and row["closed_at"] is None
    assert row["created_at"] == dt.datetime(2026, 11, 1, 12, 0, 0, 123000, tzinfo=dt.UTC)
    assert orjson.loads(row["raw_json"]) == drifted
    # Uploaded two days after it was rung up: counted as a late upload.
    assert ORDERS.late_count(batch) == 1


def test_offline_payment_flag_counts_as_late_even_when_uploaded_quickly():
    payment = {
        "id": "PAY-1",
        "location_id": "L1",
        "created_at": "2026-11-01T12:00:00Z",
        "updated_at": "2026-11-01T12:00:05Z",
        "is_offline_payment": True,
        "amount_money": {"amount": 1250, "currency": "USD"},
    }
    batch = PAYMENTS.to_batch([payment], dt.datetime(2026, 11, 4, tzinfo=dt.UTC), "run-1")
    assert batch.to_pylist()[0]["amount_money_amount"] == 1250
    assert PAYMENTS.late_count(batch) == 1
