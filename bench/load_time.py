"""How long each code location takes to load, measured the way a code server or run worker pays it.

    .venv/bin/python bench/load_time.py [--runs 5] [--dg]

For each location, in fresh processes taking turns (so both see the same machine load): the wall time of
``python -c 'import <location>.definitions; build the definitions'`` (interpreter start included) and the time
spent inside the process, median of --runs; then the largest import costs from ``python -X importtime``; with
--dg, the wall time of ``dg check defs`` in the location's folder. Prints a Markdown table for bench/README.md.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
LOCATIONS = ("data_platform", "square_sales")
LOAD = (
    "import time; started = time.perf_counter(); import importlib\n"
    "defs = importlib.import_module('{location}.definitions').defs\n"
    "defs = defs() if callable(defs) else defs\n"  # lazy (@dg.definitions) or an object built at import
    "defs.get_repository_def()\n"
    "print(time.perf_counter() - started)\n"
)


def load_once(location: str) -> tuple[float, float]:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", LOAD.format(location=location)],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO_ROOT,
    )
    return time.perf_counter() - started, float(result.stdout.strip().splitlines()[-1])


def import_costs(location: str, top: int = 6) -> list[tuple[str, float]]:
    """Seconds of import time by top-level package (self time summed), largest first."""
    result = subprocess.run(
        [sys.executable, "-W", "ignore", "-X", "importtime", "-c", LOAD.format(location=location)],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO_ROOT,
    )
    totals: dict[str, float] = defaultdict(float)
    for line in result.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)", line)
        if match:
            totals[match.group(2).split(".")[0]] += int(match.group(1)) / 1e6
    return sorted(totals.items(), key=lambda item: -item[1])[:top]


def dg_check_defs(location: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        [str(Path(sys.executable).with_name("dg")), "check", "defs", "--use-active-venv"],
        capture_output=True,
        check=True,
        cwd=REPO_ROOT / location,
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--dg", action="store_true", help="also time `dg check defs` per location")
    args = parser.parse_args()

    samples: dict[str, list[tuple[float, float]]] = {location: [] for location in LOCATIONS}
    for _ in range(args.runs):
        for location in LOCATIONS:
            samples[location].append(load_once(location))
    wall = {loc: statistics.median(w for w, _ in runs) for loc, runs in samples.items()}
    inside = {loc: statistics.median(i for _, i in runs) for loc, runs in samples.items()}
    dg = {loc: dg_check_defs(loc) for loc in LOCATIONS} if args.dg else {}

    print(
        f"| location | load, wall (s) | load, in process (s) | largest imports (s) |{' dg check defs (s) |' if dg else ''}"
    )
    print(f"| --- | ---: | ---: | --- |{' ---: |' if dg else ''}")
    for location in LOCATIONS:
        costs = ", ".join(f"{name} {seconds:.2f}" for name, seconds in import_costs(location))
        dg_cell = f" {dg[location]:.2f} |" if dg else ""
        print(f"| {location} | {wall[location]:.2f} | {inside[location]:.2f} | {costs} |{dg_cell}")
    base, domain = LOCATIONS
    print(
        f"\nratio {domain}/{base}: wall {wall[domain] / wall[base]:.2f}, in process {inside[domain] / inside[base]:.2f}"
        + (f", dg check defs {dg[domain] / dg[base]:.2f}" if dg else "")
        + f" (median of {args.runs})"
    )


if __name__ == "__main__":
    main()
