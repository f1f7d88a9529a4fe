"""The late-change sensor: every change Square reports is pulled into the lake by someone, whatever its age.

Each tick reads the orders, payments and refunds *updated* since the cursor's positions (``ingestion/changes.py``,
within a time budget: a long backlog is read over several ticks, each well inside Dagster's 60 s sensor timeout),
and notes the business day of each one's ``created_at`` as *pending*, with the time the change was seen. A pending
day is settled once each daily raw asset's latest materialization of it came from a run that succeeded and started
after that time: whoever pulled it (the backfill window, this sensor, a manual backfill). Until then:

- a day inside the backfill window is left to the window's hourly run (today's sales change all day long);
- any other day is requested, one run per range of consecutive days, and requested again after a back-off if that
  run failed or was superseded.

So a late upload to the window's oldest day, seen after its last window run (23:00-00:00 in the reporting zone),
is no longer lost: at midnight the day leaves the window and this sensor pulls it. The very first tick only records
where Square is now (a few one-object requests): history is the job of the initial backfill.

The cursor, stored by Dagster, holds the positions and the pending days. Two clocks appear in it, on purpose:
``seen`` is compared with run start times, so it is the instance's clock; ``requested`` paces the retries, so it
is the sensor's clock (the same in production; tests move the sensor's).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta

import orjson
from dagster import (
    AssetRecordsFilter,
    DagsterInstance,
    DagsterRunStatus,
    DailyPartitionsDefinition,
    DefaultSensorStatus,
    SensorDefinition,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)

from square_sales.ingestion.jobs import days_run_requests, square_raw_daily_job
from square_sales.ingestion.resource import SquareClientResource
from square_sales.keys import DAILY_RAW_KEYS
from square_sales.partitions import trailing_partition_keys

# Time spent reading Square's changes per tick; the rest waits for the next tick (Dagster times a tick out at 60 s).
TICK_BUDGET_SECONDS = 20.0
# A requested day not settled (its run failed, or is still queued) is requested again after this, then doubling.
FIRST_RETRY = timedelta(minutes=30)
LONGEST_RETRY = timedelta(hours=12)

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class PendingDay:
    seen: float  # instance clock, epoch seconds: when the newest change to the day was seen
    requested: float | None = None  # sensor clock, epoch seconds: when this sensor last requested the day
    attempts: int = 0

    def retry_due(self, now: float) -> bool:
        if self.requested is None:
            return True
        wait = min(FIRST_RETRY * 2 ** (self.attempts - 1), LONGEST_RETRY)
        return now - self.requested >= wait.total_seconds()


@dataclass
class SensorState:
    positions: dict[str, dict[str, str]]
    pending: dict[str, PendingDay] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str, location_ids: list[str]) -> SensorState:
        data = orjson.loads(text)
        if "positions" not in data:  # the first cursor format: one position per entity
            return cls({entity: dict.fromkeys(location_ids, at) for entity, at in data.items()})
        pending = {day: PendingDay(**entry) for day, entry in data.get("pending", {}).items()}
        return cls(data["positions"], pending)

    def dump(self) -> str:
        data = {
            "positions": self.positions,
            "pending": {d: asdict(p) for d, p in sorted(self.pending.items())},
        }
        return orjson.dumps(data, option=orjson.OPT_SORT_KEYS).decode()

    def note_changes(self, days: Iterable[str], seen: float) -> None:
        """A new change restarts the day's wait: the next pull must start after it."""
        for day in days:
            self.pending[day] = PendingDay(seen=seen)

    def settle(self, is_settled: Callable[[str, float], bool], valid: set[str]) -> list[str]:
        """Forget days pulled since their change (and days no partition holds); the days forgotten."""
        done = [d for d, p in self.pending.items() if d not in valid or is_settled(d, p.seen)]
        for day in done:
            del self.pending[day]
        return done

    def due(self, window: set[str], now: float) -> list[str]:
        """Pending days to request now: outside the backfill window, not requested recently."""
        return sorted(d for d, p in self.pending.items() if d not in window and p.retry_due(now))

    def mark_requested(self, days: Iterable[str], now: float) -> None:
        for day in days:
            entry = self.pending[day]
            entry.requested, entry.attempts = now, entry.attempts + 1


def pulled_since(instance: DagsterInstance, day: str, seen: float) -> bool:
    """Whether each daily raw asset's latest materialization of ``day`` came from a run that succeeded and started
    at or after ``seen`` (a report from outside any run counts from its own time)."""
    for key in DAILY_RAW_KEYS:
        records = instance.fetch_materializations(
            AssetRecordsFilter(key, asset_partitions=[day]), limit=1
        ).records
        if not records:
            return False
        if not records[0].run_id:
            if records[0].timestamp < seen:
                return False
            continue
        run = instance.get_run_record_by_id(records[0].run_id)
        if run is None or run.dagster_run.status != DagsterRunStatus.SUCCESS:
            return False
        if run.start_time is None or run.start_time < seen:
            return False
    return True


def build_late_change_sensor(
    partitions: DailyPartitionsDefinition,
    window_days: int,
    interval_seconds: int,
    clock: Clock = utc_now,
    tick_budget_seconds: float = TICK_BUDGET_SECONDS,
) -> SensorDefinition:
    @sensor(
        name="square_raw_late_change_sensor",
        job=square_raw_daily_job,
        minimum_interval_seconds=interval_seconds,
        default_status=DefaultSensorStatus.RUNNING,
        description=(
            "Polls Square for orders, payments and refunds updated since its cursor and re-pulls the business days "
            f"they belong to, unless the {window_days}-day backfill window's next run does; keeps each day until a "
            "successful pull started after the change (CHANGE_SENSOR_INTERVAL_SECONDS)."
        ),
    )
    def square_raw_late_change_sensor(context: SensorEvaluationContext, square: SquareClientResource):
        from square_sales.ingestion.changes import baseline_positions, read_changes

        now = clock()
        with square.open(log=context.log) as api:
            location_ids = api.location_ids()
            if not context.cursor:
                state = SensorState(baseline_positions(api, location_ids))
                return SensorResult(
                    skip_reason=SkipReason(
                        "First tick: recorded Square's newest changes as the starting point."
                    ),
                    cursor=state.dump(),
                )
            state = SensorState.parse(context.cursor, location_ids)
            scan = read_changes(api, location_ids, state.positions, partitions.timezone, tick_budget_seconds)
        # After reading: any pull starting from now on sees every change read.
        seen = time.time()
        state.positions = scan.positions
        state.note_changes((day.isoformat() for day in scan.days), seen)
        valid = set(partitions.get_partition_keys(current_time=now))
        settled = state.settle(lambda day, since: pulled_since(context.instance, day, since), valid)
        window = set(trailing_partition_keys(partitions, now, window_days))
        due = state.due(window, now.timestamp())
        state.mark_requested(due, now.timestamp())
        summary = (
            f"Read {scan.objects} change(s) in {scan.pages} page(s)"
            f"{'' if scan.complete else ' (more next tick)'}; {len(settled)} day(s) settled, "
            f"{len(state.pending)} pending ({len(window & set(state.pending))} left to the window run)"
        )
        cursor = state.dump()
        if not due:
            return SensorResult(skip_reason=SkipReason(f"{summary}; nothing to request."), cursor=cursor)
        context.log.info(f"{summary}; re-pulling {', '.join(due)}")
        tick = hashlib.sha1(cursor.encode()).hexdigest()[:12]
        return SensorResult(
            run_requests=days_run_requests(due, "late change in Square", f"late-{tick}"), cursor=cursor
        )

    return square_raw_late_change_sensor
