"""``./platform.sh demo``: a living platform on the embedded defaults, in a few minutes.

1. starts the Square sandbox (a chain of stores with weeks of history, offline episodes and refunds),
2. starts the Dagster UI (webserver + daemon) and a read-only UI for analysts,
3. materializes the pipeline end to end through Dagster for the recent partitions (snapshots, raw days as one
   range run, dbt models and the gold tables they publish), so runs, materializations and checks show in the UI,
4. prints where to look, then keeps the UI, schedules and sensors running until Ctrl-C, which stops everything.

This is not domain code: it is the one place besides the tests that starts the sandbox.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DEMO_TOKEN = "sandbox-token"  # the local sandbox's own token; not a Square credential


def say(message: str) -> None:
    print(f"[demo {datetime.now().strftime('%H:%M:%S')}] {message}", flush=True)


class Processes:
    """Child processes, each in its own session so Ctrl-C stops them all, in reverse order."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.children: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, command: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = open(self.log_dir / f"{name}.log", "wb")  # noqa: SIM115 - lives as long as the child
        process = subprocess.Popen(
            command,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=lambda: [signal.signal(s, signal.SIG_DFL) for s in (signal.SIGINT, signal.SIGTERM)],
        )
        self.children.append((name, process))
        return process

    def stop_all(self) -> None:
        for name, process in reversed(self.children):
            if process.poll() is None:
                say(f"stopping {name}")
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for _, process in self.children:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)


def wait_for_line(log_path: Path, needle: str, process: subprocess.Popen, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{log_path.name}: exited with {process.returncode}; see {log_path}")
        for line in log_path.read_text(errors="ignore").splitlines():
            if needle in line:
                return line
        time.sleep(0.2)
    raise SystemExit(f"{log_path.name}: not ready after {timeout:.0f}s; see {log_path}")


def wait_for_http(url: str, process: subprocess.Popen, timeout: float) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{url}: server exited with {process.returncode}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code == 200:
                return
        time.sleep(0.5)
    raise SystemExit(f"{url} did not answer within {timeout:.0f}s")


def reporting_today() -> date:
    """Today in the chain's reporting time zone: the newest daily partition."""
    from zoneinfo import ZoneInfo

    from square_sales.settings import load_square_sales_settings

    # Read, not cached: the demo sets the environment of its runs (sandbox URL, partitions) after this.
    return datetime.now(ZoneInfo(load_square_sales_settings().reporting_timezone)).date()


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="./platform.sh demo", description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=21, help="days of history to materialize (default 21)")
    parser.add_argument("--locations", type=int, default=5, help="stores in the sandbox chain (default 5)")
    parser.add_argument("--orders-per-day", type=int, default=400, help="orders per store-day (default 400)")
    parser.add_argument("--ui-port", type=int, default=3000)
    parser.add_argument("--read-only-port", type=int, default=3001)
    parser.add_argument("--docs-port", type=int, default=3002, help="dbt docs (default 3002)")
    parser.add_argument("--sandbox-port", type=int, default=8765)
    parser.add_argument("--no-serve", action="store_true", help="materialize, print the summary and exit")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    data_dir = REPO_ROOT / ".data"
    log_dir = data_dir / "demo-logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    today = reporting_today()
    first_day = today - timedelta(days=args.days - 1)

    env = {
        **os.environ,
        "PLATFORM_ENV": "dev",
        "DAGSTER_HOME": os.environ.get("DAGSTER_HOME", str(REPO_ROOT / "dagster_home")),
        "SQUARE_ACCESS_TOKEN": os.environ.get("SQUARE_ACCESS_TOKEN", DEMO_TOKEN),
        "SQUARE_BASE_URL": f"http://127.0.0.1:{args.sandbox_port}",
        # Partitions start where the sandbox's history starts, so the UI shows no empty years.
        "SQUARE_PARTITIONS_START_DATE": os.environ.get("SQUARE_PARTITIONS_START_DATE", first_day.isoformat()),
    }
    os.environ.update(env)
    processes = Processes(log_dir)

    def interrupted(*_: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)
    try:
        say(
            f"1/4 starting the Square sandbox: {args.locations} stores, {args.orders_per_day} orders/store-day"
        )
        sandbox = processes.start(
            "square-sandbox",
            [
                sys.executable,
                "-m",
                "square_sandbox",
                "--port",
                str(args.sandbox_port),
                "--locations",
                str(args.locations),
                "--orders-per-day",
                str(args.orders_per_day),
                "--start-date",
                first_day.isoformat(),
            ],
            env,
        )
        say(wait_for_line(log_dir / "square-sandbox.log", "listening on", sandbox, 60).strip())

        from demo.pipeline import (
            generate_dbt_docs,
            materialize_recent_history,
            print_gold_tables,
            print_summary,
        )

        # Before the daemon starts: its automation would otherwise race these runs for the DuckDB writer lock.
        say(f"2/4 materializing {first_day}..{today} through Dagster (runs, materializations and checks)")
        materialize_recent_history(first_day, today, say)
        print_summary(say)
        gold = print_gold_tables(say)

        if args.no_serve:
            return 0
        docs_dir = generate_dbt_docs(say)
        say(
            f"3/4 starting the Dagster UI on :{args.ui_port}, the read-only UI on :{args.read_only_port} "
            f"and dbt docs on :{args.docs_port}"
        )
        workspace = str(REPO_ROOT / "dagster_home" / "workspace.yaml")
        ui = processes.start(
            "dagster-dev",
            ["dagster", "dev", "-w", workspace, "-h", "127.0.0.1", "-p", str(args.ui_port)],
            env,
        )
        read_only = processes.start(
            "dagster-webserver-read-only",
            [
                "dagster-webserver",
                "-w",
                workspace,
                "-h",
                "127.0.0.1",
                "-p",
                str(args.read_only_port),
                "--read-only",
            ],
            env,
        )
        processes.start(
            "dbt-docs",
            [
                sys.executable,
                "-m",
                "http.server",
                str(args.docs_port),
                "--bind",
                "127.0.0.1",
                "-d",
                str(docs_dir),
            ],
            env,
        )
        wait_for_http(f"http://127.0.0.1:{args.ui_port}/server_info", ui, 180)
        wait_for_http(f"http://127.0.0.1:{args.read_only_port}/server_info", read_only, 180)
        say(f"4/4 ready after {time.monotonic() - started:.0f}s")
        print(
            f"""
  Dagster UI (operators):      http://127.0.0.1:{args.ui_port}/assets
  Read-only UI (analysts):     http://127.0.0.1:{args.read_only_port}/assets
  Lineage:                     http://127.0.0.1:{args.ui_port}/asset-groups
  dbt docs:                    http://127.0.0.1:{args.docs_port}/
  Gold tables (Delta Lake):    {gold}/<mart>   (analysts, Power BI: README, Analysts' guide)
  DuckDB warehouse:            {env.get("DUCKDB_PATH", data_dir / "warehouse.duckdb")}   (the pipeline's own; not for analysts)
  Square sandbox:              {env["SQUARE_BASE_URL"]}  (token: {DEMO_TOKEN}; ground truth: /_sandbox/ground-truth?date={today})
  Logs of every process:       {log_dir}

  Schedules and sensors are running (backfill window, late-upload sensor, audit, alerts).
  Press Ctrl-C to stop everything.
""",
            flush=True,
        )
        while all(p.poll() is None for _, p in processes.children):
            time.sleep(1)
        say("a process exited; stopping the rest")
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        processes.stop_all()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
