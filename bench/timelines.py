"""Random timelines over many seeds (issue 14): how many timelines end with marts that differ from Square.

The platform of the test suite's timelines (tests/timeline/: the real definitions on a persistent instance, the
Square sandbox, a local lake, a DuckDB warehouse built by dbt) is built once; each seed then plays a random
timeline on a copy of it (tests/timeline/random_timeline.py) and, after the final sweep, compares every store-day
of daily_sales_by_location with the sandbox's ground truth. Goal: 0 mismatches.

    .venv/bin/python bench/timelines.py --seeds 20 --steps 6 [--first-seed 100] [--sandbox-seed 14]

Prints one line per timeline and a JSON summary at the end.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.sandbox import sandbox
from tests.timeline.changes import reporting_day
from tests.timeline.conftest import BASE_NOW, CHAIN_START
from tests.timeline.platform import SimulatedPlatform
from tests.timeline.random_timeline import describe, generate, play


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seeds", type=int, default=20, help="timelines to play")
    parser.add_argument("--first-seed", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=6, help="steps per timeline")
    parser.add_argument("--sandbox-seed", type=int, default=14, help="the sandbox chain's seed (its data)")
    args = parser.parse_args()

    results = []
    with (
        tempfile.TemporaryDirectory(prefix="bench-timelines-") as folder,
        sandbox(
            locations=4,
            orders_per_day=12,
            seed=args.sandbox_seed,
            start_date=CHAIN_START,
            now=BASE_NOW,
            offline_share=0.3,
            refund_share=0.05,
        ) as chain,
    ):
        started = time.perf_counter()
        base = SimulatedPlatform(chain, Path(folder) / "base")
        base.start(CHAIN_START)
        print(f"base platform built in {time.perf_counter() - started:.0f}s", flush=True)
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            chain.set_clock(BASE_NOW)
            platform = base.copy_to(Path(folder) / f"seed-{seed}")
            timeline = generate(seed, BASE_NOW, args.steps)
            started = time.perf_counter()
            play(platform, timeline)
            mismatches = platform.mismatches(CHAIN_START, reporting_day(platform.now))
            runs = platform.launched.runs
            result = {
                "seed": seed,
                "seconds": round(time.perf_counter() - started, 1),
                "raw_runs": sum(kind == "raw" for kind, _, _ in runs),
                "dbt_runs": sum(kind == "dbt" for kind, _, _ in runs),
                "failed_runs": sum(not ok for _, _, ok in runs),
                "mismatched_store_days": len(mismatches),
            }
            results.append(result)
            print(json.dumps(result), "|", describe(timeline), flush=True)
            for line in mismatches:
                print("   ", line, flush=True)
            platform.instance.dispose()
    summary = {
        "timelines": len(results),
        "with_mismatches": sum(r["mismatched_store_days"] > 0 for r in results),
        "mismatched_store_days": sum(r["mismatched_store_days"] for r in results),
        "failed_runs": sum(r["failed_runs"] for r in results),
        "raw_runs": sum(r["raw_runs"] for r in results),
        "dbt_runs": sum(r["dbt_runs"] for r in results),
        "seconds": round(sum(r["seconds"] for r in results)),
    }
    print(json.dumps(summary), flush=True)
    return 1 if summary["with_mismatches"] else 0


if __name__ == "__main__":
    sys.exit(main())
