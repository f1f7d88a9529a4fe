"""The raw-layer checks, run as Dagster asset checks over Parquet files in the documented lake layout."""

from __future__ import annotations

import datetime as dt

import pytest
from dagster import AssetCheckSeverity, AssetKey, AssetMaterialization, DagsterInstance

from data_platform.settings import ConfigError
from square_sales.ingestion.layout import DAILY_ENTITIES, ORDERS, PAYMENTS, REFUNDS
from square_sales.partitions import daily_partitions
from square_sales.quality import FRESHNESS_JOB
from square_sales.quality.config import load_quality_settings
from tests.quality.rawdata import midday, order, payment, quality_defs, run_checks, write_partition

DAY = dt.date(2026, 11, 18)  # a Wednesday
SETTINGS = load_quality_settings({})


@pytest.fixture
def instance():
    with DagsterInstance.ephemeral() as instance:
        yield instance


def land(lake, day, orders, payments=None, refunds=None):
    write_partition(lake, ORDERS, day, orders)
    write_partition(lake, PAYMENTS, day, payments or [payment(o["location_id"], midday(day)) for o in orders])
    write_partition(lake, REFUNDS, day, refunds or [])


def test_clean_partition_passes_every_check(lake, instance):
    land(lake, DAY, [order("L1", midday(DAY)) for _ in range(8)])
    evaluations = run_checks(quality_defs(lake, SETTINGS), DAY, instance)
    # Per daily object: duplicate ids, null keys, schema drift; and the volume and late-arrival checks.
    assert len(evaluations) == 3 * len(DAILY_ENTITIES) + 2
    assert all(e.passed for e in evaluations.values()), {k: e.description for k, e in evaluations.items()}
    assert {e.partition for e in evaluations.values()} == {DAY.isoformat()}


def test_injected_duplicates_fail_the_blocking_check_with_figures(lake, instance):
    orders = [order("L1", midday(DAY)) for _ in range(6)]
    land(lake, DAY, [*orders, orders[0], orders[0], orders[3]])
    evaluation = run_checks(quality_defs(lake, SETTINGS), DAY, instance)[("orders", "no_duplicate_ids")]
    assert not evaluation.passed
    assert evaluation.severity == AssetCheckSeverity.ERROR and evaluation.blocking
    assert evaluation.metadata["duplicate_ids"].value == 2
    assert evaluation.metadata["extra_rows"].value == 3
    assert orders[0]["id"] in evaluation.metadata["sample_ids"].value


def test_null_keys_are_named(lake, instance):
    orders = [order("L1", midday(DAY)) for _ in range(4)]
    orders[1]["location_id"] = None
    land(lake, DAY, orders, payments=[payment("L1", midday(DAY))])
    evaluation = run_checks(quality_defs(lake, SETTINGS), DAY, instance)[("orders", "no_null_keys")]
    assert not evaluation.passed and evaluation.blocking
    assert evaluation.metadata["null_location_id"].value == 1
    assert "location_id null in 1 row" in evaluation.description


def test_schema_drift_reports_new_and_missing_fields_as_warn(lake, instance):
    orders = [order("L1", midday(DAY)) for _ in range(3)]
    orders[0]["loyalty_tier"] = "gold"  # not in Square's documented Order
    del orders[2]["total_money"]
    land(lake, DAY, orders)
    evaluation = run_checks(quality_defs(lake, SETTINGS), DAY, instance)[("orders", "no_schema_drift")]
    assert not evaluation.passed
    assert evaluation.severity == AssetCheckSeverity.WARN and not evaluation.blocking
    assert evaluation.metadata["new_fields"].value == "loyalty_tier"
    assert evaluation.metadata["missing_fields"].value == "total_money"


def test_store_without_sales_is_a_volume_anomaly(lake, instance):
    for weeks_back in (1, 2, 3):
        day = DAY - dt.timedelta(weeks=weeks_back)
        land(lake, day, [order(loc, midday(day)) for loc in ("L1", "L2") for _ in range(10)])
    land(lake, DAY, [order("L1", midday(DAY)) for _ in range(9)])  # L2 sold nothing today
    evaluation = run_checks(quality_defs(lake, SETTINGS), DAY, instance)[
        ("orders", "volume_within_trailing_weekday_range")
    ]
    assert not evaluation.passed and evaluation.severity == AssetCheckSeverity.WARN
    assert evaluation.metadata["anomalies"].value == 1
    assert "L2 on 2026-11-18: orders 0 vs avg 10.0" in evaluation.description
    assert "L1" not in evaluation.description


def test_late_arrival_share_is_judged_per_location(lake, instance):
    taken = midday(DAY)
    late = [payment("L1", taken, uploaded=taken + dt.timedelta(hours=30)) for _ in range(5)]
    on_time_offline = [payment("L2", taken, uploaded=taken + dt.timedelta(minutes=5)) for _ in range(5)]
    payments = [*late, *[payment("L1", taken) for _ in range(25)], *on_time_offline]
    payments += [payment("L2", taken) for _ in range(25)]
    land(lake, DAY, [order("L1", taken)], payments=payments)
    evaluation = run_checks(quality_defs(lake, SETTINGS), DAY, instance)[
        ("payments", "late_arrival_share_within_limit")
    ]
    assert not evaluation.passed
    assert evaluation.metadata["locations_over_limit"].value == 1
    assert evaluation.description.startswith("L1 on 2026-11-18: 5/30 late (16.7%, max delay 30.0 h)")


def test_freshness_names_the_stale_window_partition(lake, instance):
    today = dt.date.fromisoformat(daily_partitions().get_last_partition_key())
    now = dt.datetime.now(dt.UTC)
    stale_day = today - dt.timedelta(days=1)
    for day in (today, stale_day, today - dt.timedelta(days=2)):
        pulled = now - dt.timedelta(hours=5 if day == stale_day else 1)
        for entity in (ORDERS, PAYMENTS, REFUNDS):
            write_partition(lake, entity, day, [order("L1", midday(day))] if entity is ORDERS else [], pulled)
    defs = quality_defs(lake, SETTINGS, window_days=3)
    result = defs.resolve_job_def(FRESHNESS_JOB).execute_in_process(instance=instance, raise_on_error=False)
    evaluations = {e.asset_key.path[-1]: e for e in result.get_asset_check_evaluations()}
    assert set(evaluations) == {entity.name for entity in DAILY_ENTITIES}
    orders = evaluations["orders"]
    assert not orders.passed and orders.metadata["stale_partitions"].value == 1
    assert f"{stale_day} (5.0 h ago)" in orders.description


def test_a_business_day_still_under_way_is_not_judged_on_volume(lake, instance):
    today = dt.date.fromisoformat(daily_partitions().get_last_partition_key())
    for weeks_back in (1, 2, 3):
        day = today - dt.timedelta(weeks=weeks_back)
        land(lake, day, [order("L1", midday(day)) for _ in range(10)])
    land(lake, today, [order("L1", midday(today))])  # the morning's first sale
    evaluation = run_checks(quality_defs(lake, SETTINGS), today, instance)[
        ("orders", "volume_within_trailing_weekday_range")
    ]
    assert evaluation.passed, evaluation.description
    assert evaluation.metadata["days_still_open"].value == today.isoformat()


def test_a_day_without_sales_yet_is_fresh_when_dagster_pulled_it_recently(lake, instance):
    today = dt.date.fromisoformat(daily_partitions().get_last_partition_key())
    for entity in (ORDERS, PAYMENTS, REFUNDS):
        write_partition(lake, entity, today, [])  # pulled at 3 a.m.: nothing sold yet, no row to date it
    instance.report_runless_asset_event(
        AssetMaterialization(asset_key=AssetKey(["square", "raw", "orders"]), partition=today.isoformat())
    )
    defs = quality_defs(lake, SETTINGS, window_days=1)
    result = defs.resolve_job_def(FRESHNESS_JOB).execute_in_process(instance=instance, raise_on_error=False)
    evaluations = {e.asset_key.path[-1]: e for e in result.get_asset_check_evaluations()}
    assert evaluations["orders"].passed, evaluations["orders"].description
    # Payments were never recorded as pulled: the same empty file does not make them fresh.
    assert not evaluations["payments"].passed
    assert f"{today} (never pulled)" in evaluations["payments"].description


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("QUALITY_FRESHNESS_MAX_AGE_HOURS", "0"),
        ("QUALITY_VOLUME_MIN_RATIO", "1.5"),
        ("QUALITY_VOLUME_TRAILING_WEEKS", "many"),
        ("QUALITY_LATE_ARRIVAL_MAX_SHARE", "7"),
        ("QUALITY_FRESHNESS_SCHEDULE_CRON", "every hour"),
    ],
)
def test_bad_thresholds_are_rejected_naming_the_variable(variable, value):
    with pytest.raises(ConfigError, match=variable):
        load_quality_settings({variable: value})
