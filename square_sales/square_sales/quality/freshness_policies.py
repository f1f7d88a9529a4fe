"""Freshness policies of the domain's assets (Dagster's ``FreshnessPolicy``, evaluated by the daemon's freshness
loop; ``alert_on_stale_assets`` in data_platform turns their WARN/FAIL into alerts).

One factory: an asset's window follows the schedule that refreshes it. It warns when the schedule's run is a
quarter of an interval late (at least 5 minutes, at most 2 hours) and fails when a whole run was missed. The raw
daily partitions and the daily models follow the backfill-window schedule (the models a minute or a dbt run behind
it), the snapshots and the reference models follow the snapshot schedule. So when the window schedule stops, raw
and marts turn stale within about two intervals, and someone is told.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from dagster import FreshnessPolicy, TimeWindowPartitionsDefinition

from square_sales.settings import SquareSalesSettings

MIN_GRACE = timedelta(minutes=5)
MAX_GRACE = timedelta(hours=2)
# Spans read in turn until one holds three ticks: cheap for frequent crons, a week covers weekday patterns, a year
# the monthly ones.
_SPANS = (timedelta(hours=3), timedelta(days=3), timedelta(days=8), timedelta(days=400))


def smallest_interval(cron: str) -> timedelta:
    """The shortest time between two ticks of ``cron`` (in UTC, as Dagster validates cron policies), read from
    Dagster's own cron iteration: the windows of a partitions definition built on the cron."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for span in _SPANS:
        partitions = TimeWindowPartitionsDefinition(
            cron_schedule=cron, start=start, fmt="%Y-%m-%dT%H:%M", timezone="UTC"
        )
        ticks = [
            partitions.time_window_for_partition_key(key).start
            for key in partitions.get_partition_keys(current_time=start + span)
        ]
        if len(ticks) >= 3:
            return min(later - earlier for earlier, later in itertools.pairwise(ticks))
    raise ValueError(
        f"The cron expression {cron!r} ticks less than twice a year: no freshness window fits it."
    )


def freshness_policy(cron: str) -> FreshnessPolicy:
    """Warn when the run of the schedule ``cron`` is late, fail when one run was missed."""
    every = smallest_interval(cron)
    grace = min(max(every / 4, MIN_GRACE), MAX_GRACE)
    return FreshnessPolicy.time_window(warn_window=every + grace, fail_window=2 * every + grace)


@dataclass(frozen=True)
class FreshnessPolicies:
    daily: FreshnessPolicy  # raw daily partitions and the daily models: the backfill window's schedule
    snapshots: FreshnessPolicy  # raw snapshots and the reference models: the snapshot schedule


def freshness_policies(settings: SquareSalesSettings) -> FreshnessPolicies:
    from square_sales.ingestion.schedules import SNAPSHOT_CRON

    return FreshnessPolicies(
        daily=freshness_policy(settings.backfill_schedule_cron), snapshots=freshness_policy(SNAPSHOT_CRON)
    )
