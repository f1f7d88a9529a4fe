"""A guard for work that must not outlive the process that started it, even when that process is killed outright.

A process killed with SIGKILL (``kill -9``, the OOM killer) runs no cleanup: its dbt child keeps running and keeps
the DuckDB writer lock, and a run it executed in-process stays STARTED in the Dagster instance, so every run queued
behind the warehouse-writer limit waits for it forever. A watchdog is a small separate process, started by the one
it guards, that waits for that process to end and then

- stops the children it was told about (SIGTERM, then SIGKILL after a grace period), and
- marks the run it was told about failed, if the run has not finished.

The guarded process stops its watchdog when it ends normally (:meth:`Watchdog.stop`). Processes are followed
through Linux pidfds, so a recycled pid can never be mistaken for the guarded process.

    python -m data_platform.watchdog --guard PID [--child PID ...] [--run-id ID]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Sequence

GRACE_SECONDS = 5.0


class Watchdog:
    """A running watchdog for this process (see :func:`start_watchdog`)."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.process = process

    def stop(self) -> None:
        """The guarded work ended normally: nothing to clean up."""
        if self.process.poll() is None:
            self.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(5)


def start_watchdog(children: Sequence[int] = (), run_id: str | None = None) -> Watchdog:
    """Watch this process: when it dies, stop ``children`` and mark ``run_id`` failed (in $DAGSTER_HOME's
    instance). The watchdog runs in its own session, so a signal to this process group does not reach it."""
    command = [sys.executable, "-m", "data_platform.watchdog", "--guard", str(os.getpid())]
    for child in children:
        command += ["--child", str(child)]
    if run_id:
        command += ["--run-id", run_id]
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env=os.environ.copy(),
    )
    return Watchdog(process)


def _wait_until_gone(pidfd: int, timeout: float | None = None) -> bool:
    """Block until the process of ``pidfd`` has ended (True) or ``timeout`` passed (False)."""
    poller = select.poll()
    poller.register(pidfd, select.POLLIN)
    return bool(poller.poll(None if timeout is None else int(timeout * 1000)))


def _stop_child(pidfd: int) -> None:
    for sig, grace in ((signal.SIGTERM, GRACE_SECONDS), (signal.SIGKILL, GRACE_SECONDS)):
        with contextlib.suppress(ProcessLookupError):
            signal.pidfd_send_signal(pidfd, sig)
        if _wait_until_gone(pidfd, grace):
            return


def _fail_run(run_id: str, guard_pid: int) -> None:
    from dagster import DagsterInstance

    with DagsterInstance.get() as instance:
        run = instance.get_run_by_id(run_id)
        if run is not None and not run.is_finished:
            instance.report_run_failed(
                run,
                f"The process that ran this run in-process (pid {guard_pid}) died without finishing it (killed?); "
                "marked failed by its watchdog so that runs waiting behind it can start.",
            )


def watch(guard_pid: int, children: Sequence[int], run_id: str | None) -> None:
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    try:
        guard = os.pidfd_open(guard_pid)
    except ProcessLookupError:
        guard = None  # already gone
    child_fds = []
    for child in children:
        with contextlib.suppress(ProcessLookupError):
            child_fds.append(os.pidfd_open(child))
    if guard is not None:
        _wait_until_gone(guard)
    if stopping:
        return
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # finish the cleanup once it has started
    for fd in child_fds:
        _stop_child(fd)
    if run_id:
        time.sleep(0.5)  # a run that did finish has its last events written by now
        _fail_run(run_id, guard_pid)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m data_platform.watchdog", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--guard", type=int, required=True, help="the process to watch")
    parser.add_argument(
        "--child", type=int, action="append", default=[], help="a process to stop when it dies"
    )
    parser.add_argument("--run-id", help="a Dagster run to mark failed when it dies unfinished")
    args = parser.parse_args(argv)
    watch(args.guard, args.child, args.run_id)
    return 0


if __name__ == "__main__":
    sys.exit(main())
