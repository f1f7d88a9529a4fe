"""Random timelines: seeded sequences of what the daemon could do, played on a platform and the sandbox's clock.

Each step moves the clock (often into 23:00-00:00 of the reporting zone, where the backfill window's edge is),
letting the sandbox's registers upload their offline sales and refunds happen at whatever time they do; then, in a
random order, the backfill-window schedule ticks (when one of its hourly ticks passed), the late-change sensor
ticks, the automation ticks, and its queued dbt runs execute now, later, or in the background while the next
steps pull raw days. At the end, one more sweep; every store-day of the marts must then equal the sandbox's truth.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from tests.timeline.changes import REPORTING
from tests.timeline.platform import SimulatedPlatform

ACTIONS = ("window", "changes", "automation", "dbt")


@dataclass(frozen=True)
class Step:
    clock: dt.datetime
    actions: tuple[str, ...]
    dbt_in_background: bool


def generate(seed: int, start: dt.datetime, steps: int) -> list[Step]:
    """A timeline of ``steps`` steps from ``start``: clock moves of 10 minutes to 10 hours, a third of them to a
    random minute of 23:00-00:00 (reporting zone); each step does some of the daemon's actions, in any order."""
    rng = random.Random(seed)
    clock, timeline = start, []
    for _ in range(steps):
        if rng.random() < 0.35:
            local = clock.astimezone(REPORTING)
            evening = dt.datetime.combine(local.date(), dt.time(23), tzinfo=REPORTING)
            if evening <= local:
                evening += dt.timedelta(days=1)
            clock = (evening + dt.timedelta(minutes=rng.randrange(60))).astimezone(dt.UTC)
        else:
            clock += dt.timedelta(minutes=rng.randrange(10, 600))
        actions = [a for a in ACTIONS if rng.random() < 0.7]
        rng.shuffle(actions)
        timeline.append(Step(clock, tuple(actions), dbt_in_background=rng.random() < 0.4))
    return timeline


def play(platform: SimulatedPlatform, timeline: list[Step]) -> None:
    last_window_tick = _hour(platform.now)
    for step in timeline:
        platform.set_clock(step.clock)
        for action in step.actions:
            if action == "window" and _hour(step.clock) > last_window_tick:
                # The daemon runs the latest tick it missed (the others are skipped, as after a restart).
                platform.set_clock(_hour(step.clock))
                platform.tick_window()
                platform.set_clock(step.clock)
                last_window_tick = _hour(step.clock)
            elif action == "changes":
                platform.tick_changes()
            elif action == "automation":
                platform.tick_automation()
            elif action == "dbt":
                platform.wait()
                if step.dbt_in_background:
                    platform.start_queued()  # runs while the next actions pull raw days
                else:
                    platform.run_queued()
    platform.sweep()


def _hour(moment: dt.datetime) -> dt.datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def describe(timeline: list[Step]) -> str:
    return "; ".join(
        f"{s.clock.astimezone(REPORTING):%m-%d %H:%M} {'+'.join(s.actions) or '-'}"
        f"{' (dbt in background)' if s.dbt_in_background and 'dbt' in s.actions else ''}"
        for s in timeline
    )
