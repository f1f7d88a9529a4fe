"""After a re-pull of any raw partition, however old, the daily dbt models of that partition are requested
automatically (declarative automation, evaluated here as the square_dbt_automation sensor would), however the
re-pull and the dbt run interleave, and never while a blocking check of that raw partition fails. The same through
the real sensor, runs and sandbox: tests/timeline/."""

from __future__ import annotations

from dagster import (
    AssetCheckEvaluation,
    AssetKey,
    AssetMaterialization,
    DagsterInstance,
    evaluate_automation_conditions,
)

from tests.support.definitions import load_location

DEFS = load_location("square_sales")

RAW_DAILY = [AssetKey(["square", "raw", name]) for name in ("orders", "payments", "refunds")]
RAW_SNAPSHOTS = [AssetKey(["square", "raw", name]) for name in ("locations", "catalog", "customers")]
OLD_DAY = "2026-03-10"  # far from the latest partition: plain eager() would ignore it
SALES = AssetKey(["marts", "daily_sales_by_location"])
DIM = AssetKey(["marts", "dim_locations"])


def requested_partitions(result) -> dict[AssetKey, set]:
    found: dict[AssetKey, set] = {}
    for evaluation in result.results:
        subset = evaluation.true_subset
        if subset.size:
            found[evaluation.key] = (
                set(subset.expensively_compute_partition_keys()) if subset.is_partitioned else {None}
            )
    return found


def materialize_events(instance: DagsterInstance, keys, partition: str | None = None) -> None:
    for key in keys:
        instance.report_runless_asset_event(AssetMaterialization(asset_key=key, partition=partition))


def test_a_repulled_old_day_brings_its_daily_models_up_to_date():
    instance = DagsterInstance.ephemeral()
    result = evaluate_automation_conditions(defs=DEFS, instance=instance)
    assert SALES not in requested_partitions(result), "nothing can run before the raw layer exists"

    materialize_events(instance, RAW_SNAPSHOTS)
    materialize_events(instance, RAW_DAILY, OLD_DAY)
    result = evaluate_automation_conditions(defs=DEFS, instance=instance, cursor=result.cursor)
    first = requested_partitions(result)
    assert first[SALES] == {OLD_DAY}
    assert first[AssetKey(["staging", "base_square__orders"])] == {OLD_DAY}
    assert first[DIM] == {None}

    # Everything requested ran; nothing more to do until the next re-pull.
    for key, partitions in first.items():
        for partition in partitions:
            materialize_events(instance, [key], partition)
    result = evaluate_automation_conditions(defs=DEFS, instance=instance, cursor=result.cursor)
    assert SALES not in requested_partitions(result)

    # The late-upload sensor re-pulls the old day's orders: its daily models are requested again, only that day,
    # and the reference models do not rebuild.
    materialize_events(instance, [RAW_DAILY[0]], OLD_DAY)
    result = evaluate_automation_conditions(defs=DEFS, instance=instance, cursor=result.cursor)
    again = requested_partitions(result)
    assert again[SALES] == {OLD_DAY}
    assert DIM not in again


def test_a_repull_between_the_request_and_the_next_tick_requests_the_day_again():
    """The dbt run of a day finished, then the day was re-pulled, all before the automation's next tick: the day is
    requested again (``eager()`` took the re-pull for handled, as the request and the update fell on one tick)."""
    instance = DagsterInstance.ephemeral()
    result = evaluate_automation_conditions(defs=DEFS, instance=instance)
    materialize_events(instance, RAW_SNAPSHOTS)
    materialize_events(instance, RAW_DAILY, OLD_DAY)
    result = evaluate_automation_conditions(defs=DEFS, instance=instance, cursor=result.cursor)
    requested = requested_partitions(result)
    assert requested[SALES] == {OLD_DAY}
    run_requested(instance, requested)
    materialize_events(instance, [RAW_DAILY[0]], OLD_DAY)  # the re-pull, right after
    result = evaluate_automation_conditions(defs=DEFS, instance=instance, cursor=result.cursor)
    assert requested_partitions(result).get(SALES) == {OLD_DAY}


def test_a_failing_blocking_check_holds_the_day_back_until_it_passes():
    instance = DagsterInstance.ephemeral()
    result = evaluate_automation_conditions(defs=DEFS, instance=instance)
    materialize_events(instance, RAW_SNAPSHOTS)
    materialize_events(instance, RAW_DAILY, OLD_DAY)
    report_check(instance, passed=False)
    result = evaluate_automation_conditions(defs=DEFS, instance=instance, cursor=result.cursor)
    held_back = requested_partitions(result)
    assert SALES not in held_back
    assert AssetKey(["staging", "base_square__orders"]) not in held_back  # nothing reads the broken orders
    run_requested(instance, held_back)  # what did pass (payments, refunds, reference data) runs

    materialize_events(instance, [RAW_DAILY[0]], OLD_DAY)  # pulled again; nothing says it is broken now
    result = evaluate_automation_conditions(defs=DEFS, instance=instance, cursor=result.cursor)
    assert requested_partitions(result)[SALES] == {OLD_DAY}


def run_requested(instance: DagsterInstance, requested: dict[AssetKey, set]) -> None:
    for key, partitions in requested.items():
        for partition in partitions:
            materialize_events(instance, [key], partition)


def report_check(instance: DagsterInstance, passed: bool) -> None:
    instance.report_runless_asset_event(
        AssetCheckEvaluation(
            asset_key=RAW_DAILY[0],
            check_name="no_duplicate_ids",
            passed=passed,
            partition=OLD_DAY,
            blocking=True,
        )
    )


def test_a_tick_reads_each_raw_partition_once_however_many_models_read_it():
    """Every daily model of a day judges the same raw partitions: one tick reads each one's latest materialization
    once (a read per model and partition made a tick over twelve days take minutes)."""
    instance = DagsterInstance.ephemeral()
    result = evaluate_automation_conditions(defs=DEFS, instance=instance)
    materialize_events(instance, RAW_SNAPSHOTS)
    materialize_events(instance, RAW_DAILY, OLD_DAY)
    reads = []
    fetch = instance.fetch_materializations

    def counted(records_filter, *args, **kwargs):  # a spy around the real read, nothing faked
        reads.append((records_filter.asset_key, tuple(records_filter.asset_partitions or ())))
        return fetch(records_filter, *args, **kwargs)

    instance.fetch_materializations = counted
    result = evaluate_automation_conditions(defs=DEFS, instance=instance, cursor=result.cursor)
    assert requested_partitions(result)[SALES] == {OLD_DAY}
    assert reads, "the blocking-check condition reads the raw partitions"
    assert len(reads) == len(set(reads)), [read for read in set(reads) if reads.count(read) > 1][:5]
