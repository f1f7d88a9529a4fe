"""The late-change sensor: changes in Square to days older than the backfill window reach the lake within one tick.

Each tick asks Square for orders, payments and refunds *updated* since the cursor (``updated_at`` filters, sorted by
``updated_at``), maps each object to the business day of its ``created_at``, and requests one run per range of
consecutive days that lie outside the backfill window (the window schedule re-pulls the recent days anyway). An
order uploaded nine days late, or refunded a month later, is re-pulled with no manual step.

The cursor holds the newest ``updated_at`` seen per entity and is stored by Dagster, so it survives restarts. The
very first tick only records where Square is now (the newest ``updated_at`` per entity, a few one-object requests):
history is the job of the initial backfill, and the cursor never depends on this machine's clock.
"""

import hashlib
from datetime import UTC, datetime

import orjson
from dagster import (
    DailyPartitionsDefinition,
    DefaultSensorStatus,
    SensorDefinition,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)

from square_sales.ingestion.jobs import range_run_request, square_raw_daily_job
from square_sales.ingestion.resource import SquareClientResource
from square_sales.partitions import contiguous_ranges, trailing_partition_keys


def build_late_change_sensor(
    partitions: DailyPartitionsDefinition, window_days: int, interval_seconds: int
) -> SensorDefinition:
    @sensor(
        name="square_raw_late_change_sensor",
        job=square_raw_daily_job,
        minimum_interval_seconds=interval_seconds,
        default_status=DefaultSensorStatus.RUNNING,
        description=(
            "Polls Square for orders, payments and refunds updated since its cursor and re-pulls the business days "
            f"they belong to when those lie outside the {window_days}-day backfill window "
            "(CHANGE_SENSOR_INTERVAL_SECONDS)."
        ),
    )
    def square_raw_late_change_sensor(context: SensorEvaluationContext, square: SquareClientResource):
        from square_sales.ingestion.changes import baseline_cursor, find_changed_days

        now = datetime.now(UTC)
        timezone = partitions.timezone
        with square.open(log=context.log) as api:
            location_ids = api.location_ids()
            if not context.cursor:
                cursor = orjson.dumps(
                    baseline_cursor(api, location_ids), option=orjson.OPT_SORT_KEYS
                ).decode()
                return SensorResult(
                    skip_reason=SkipReason(
                        "First tick: recorded Square's newest changes as the starting point."
                    ),
                    cursor=cursor,
                )
            changed, new_cursor = find_changed_days(api, location_ids, orjson.loads(context.cursor), timezone)
        window = set(trailing_partition_keys(partitions, now, window_days))
        valid = set(partitions.get_partition_keys(current_time=now))
        keys = {d.isoformat() for days in changed.values() for d in days}
        outside = sorted(k for k in keys if k in valid and k not in window)
        encoded = orjson.dumps(new_cursor, option=orjson.OPT_SORT_KEYS).decode()
        if not outside:
            inside = len(keys & window)
            return SensorResult(
                skip_reason=SkipReason(
                    f"{len(keys)} changed day(s), {inside} inside the backfill window; nothing older to re-pull."
                ),
                cursor=encoded,
            )
        context.log.info(f"Re-pulling days changed outside the backfill window: {', '.join(outside)}")
        tick = hashlib.sha1(encoded.encode()).hexdigest()[:12]
        return SensorResult(
            run_requests=[
                range_run_request(
                    first, last, reason="late change in Square", run_key=f"late-{tick}-{first}-{last}"
                )
                for first, last in contiguous_ranges(outside)
            ],
            cursor=encoded,
        )

    return square_raw_late_change_sensor
