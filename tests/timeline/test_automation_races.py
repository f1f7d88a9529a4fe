"""A raw day re-pulled while the marts are being built from it, or right after, still reaches the marts (issue 14,
item 2), driven through the real automation sensor on a real instance: the late-change sensor re-pulls an old
day, the automation requests its dbt run, and the same day is re-pulled again (new late uploads) after that run,
or while it runs. Dagster's ``eager()`` let the second re-pull go unnoticed; the marts stayed behind for good."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.timeline.changes import changes_by_day, reporting_day
from tests.timeline.conftest import BASE_NOW, CHAIN_START
from tests.timeline.platform import days_of

pytestmark = pytest.mark.slow

WINDOW_DAYS = 3
LOOK_AHEAD = dt.timedelta(days=3)


def two_uploads_to_an_old_day(chain) -> tuple[dt.date, dt.datetime, dt.datetime]:
    """A day outside the backfill window that receives a change, then another one later: (day, first, second)."""
    changes = changes_by_day(chain, CHAIN_START, BASE_NOW, BASE_NOW + LOOK_AHEAD)
    for day, times in sorted(changes.items()):
        old = [t for t in times if (reporting_day(t) - day).days >= WINDOW_DAYS]
        if len(old) >= 2 and old[-1] - old[0] >= dt.timedelta(minutes=10):
            return day, old[0], old[-1]
    raise AssertionError("the sandbox should change some old day twice within three days")


def requested_days(runs) -> set[dt.date]:
    return days_of(tags for _, tags in runs)


def build_the_first_upload(platform, day, first_upload) -> None:
    """The late-change sensor re-pulls the day after its first change; the automation requests its dbt run."""
    platform.set_clock(first_upload + dt.timedelta(minutes=1))
    platform.tick_changes()
    assert day in requested_days(platform.tick_automation())


def test_a_repull_landing_after_the_dbt_run_before_the_next_tick_reaches_the_marts(platform, chain):
    day, first_upload, second_upload = two_uploads_to_an_old_day(chain)
    build_the_first_upload(platform, day, first_upload)
    platform.run_queued()

    # New uploads for the day; the sensor re-pulls it before the automation ticks again.
    platform.set_clock(second_upload + dt.timedelta(minutes=1))
    platform.tick_changes()
    assert day in requested_days(platform.tick_automation()), "the second re-pull was lost"
    platform.run_queued()
    assert platform.mismatches(day - dt.timedelta(days=1), day + dt.timedelta(days=1)) == []


def test_a_repull_landing_while_the_dbt_run_runs_reaches_the_marts(platform, chain):
    day, first_upload, second_upload = two_uploads_to_an_old_day(chain)
    build_the_first_upload(platform, day, first_upload)
    platform.start_queued()  # the dbt run, in the background

    # Meanwhile: new uploads, the sensor re-pulls the day, the automation ticks (the run may still be going).
    platform.set_clock(second_upload + dt.timedelta(minutes=1))
    platform.tick_changes()
    during = requested_days(platform.tick_automation())
    platform.wait()
    after = requested_days(platform.tick_automation())
    assert day in during | after, "the re-pull during the dbt run was lost"
    platform.run_queued()
    assert platform.mismatches(day - dt.timedelta(days=1), day + dt.timedelta(days=1)) == []
