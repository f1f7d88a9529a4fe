"""Random timelines (issue 14): uploads at random times (23:00-00:00 of the reporting zone included, and while dbt
runs), the schedule, the sensors and the automation ticking in an order the daemon could run them; after one more
sweep every store-day of the marts equals the sandbox's ground truth. A few seeds here; many in
bench/timelines.py."""

from __future__ import annotations

import pytest

from tests.timeline.changes import reporting_day
from tests.timeline.conftest import BASE_NOW, CHAIN_START
from tests.timeline.random_timeline import describe, generate, play

pytestmark = pytest.mark.slow


# Each timeline costs several dbt runs: one seed here keeps the suite quick; bench/timelines.py plays many.
@pytest.mark.parametrize("seed", [8])
def test_after_a_random_timeline_the_marts_equal_the_truth(platform, seed):
    timeline = generate(seed, BASE_NOW, steps=4)
    play(platform, timeline)
    mismatches = platform.mismatches(CHAIN_START, reporting_day(platform.now))
    assert mismatches == [], f"seed {seed}: {describe(timeline)}\n" + "\n".join(mismatches)
    assert all(success for _, _, success in platform.launched.runs), platform.launched.runs
