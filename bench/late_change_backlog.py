"""The late-change sensor catching up a backlog of days of changes, at full volume (issue 14, item 4).

A sandbox chain of production size (``--locations`` stores, ``--orders-per-day`` orders per store-day); the
sensor's first tick at T0, then the clock moves ``--days`` ahead (every sale, upload and refund of those days is a
change to read) and the sensor ticks, with its production budget, until it has read everything. Each tick's
duration is printed; Dagster times a sensor tick out at 60 s. The runs the sensor requests are not launched.

    .venv/bin/python bench/late_change_backlog.py --locations 11 --orders-per-day 1500 --days 10
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from square_sales.ingestion.sensors import TICK_BUDGET_SECONDS
from tests.support.sandbox import sandbox
from tests.timeline.platform import SimulatedPlatform, days_of

T0 = dt.datetime(2026, 11, 1, 17, tzinfo=dt.UTC)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--locations", type=int, default=11)
    parser.add_argument("--orders-per-day", type=int, default=1500)
    parser.add_argument("--days", type=int, default=10)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="bench-backlog-") as folder,
        sandbox(
            locations=args.locations,
            orders_per_day=args.orders_per_day,
            seed=7,
            start_date=(T0 - dt.timedelta(days=20)).date(),
            now=T0,
            offline_share=0.02,
            refund_share=0.02,
            ) as chain,
    ):
        platform = SimulatedPlatform(chain, Path(folder) / "platform")
        platform.tick_changes(launch=False)  # the first tick: where Square stands
        platform.set_clock(T0 + dt.timedelta(days=args.days))
        ticks, requested = [], set()
        while len(ticks) < 200:
            result = platform.tick_changes(launch=False)
            requested |= days_of(r.tags for r in result.run_requests)
            summary = result.skip_message or f"requested {len(result.run_requests)} run(s)"
            ticks.append(round(platform.last_tick_seconds, 1))
            print(f"tick {len(ticks)}: {ticks[-1]:.1f}s  {summary}", flush=True)
            if result.skip_message and "more next tick" not in result.skip_message:
                break
    print(
        json.dumps(
            {
                "locations": args.locations,
                "orders_per_day": args.orders_per_day,
                "backlog_days": args.days,
                "budget_seconds": TICK_BUDGET_SECONDS,
                "ticks": len(ticks),
                "longest_tick_seconds": max(ticks),
                "total_seconds": round(sum(ticks), 1),
                "days_requested": len(requested),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
