"""Running a job in this process against the real instance (command-line tools, the demo), safely.

``execute_in_process`` bypasses the run queue: the run is STARTED by this process and only this process can finish
it. So that a run never stays STARTED after its process is gone (every writer run queued behind it would wait
forever), :func:`execute_job_in_process`

- waits until no other run holding the same concurrency tag is in progress (what the queue would do),
- turns SIGTERM and SIGHUP into the interruption Dagster handles (the run ends failed, its steps stopped), and
- starts a watchdog (``data_platform.watchdog``) that marks the run failed if this process is killed outright.
"""

from __future__ import annotations

import signal
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from dagster import DagsterInstance, DagsterRunStatus, ExecuteInProcessResult, JobDefinition, RunsFilter

from data_platform.watchdog import start_watchdog

IN_PROGRESS = [DagsterRunStatus.STARTING, DagsterRunStatus.STARTED, DagsterRunStatus.CANCELING]
WAIT_POLL_SECONDS = 5.0


def wait_for_tagged_runs(
    instance: DagsterInstance, tags: Mapping[str, str], say: Callable[[str], None], timeout: float
) -> None:
    """Wait while a run carrying any of ``tags`` (a concurrency tag such as the DuckDB writer's) is in progress."""
    deadline = time.monotonic() + timeout
    announced = False
    while True:
        busy = [
            run.run_id
            for key, value in tags.items()
            for run in instance.get_runs(RunsFilter(statuses=IN_PROGRESS, tags={key: value}))
        ]
        if not busy:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"run(s) {', '.join(busy)} still in progress after {timeout:.0f}s; try again later"
            )
        if not announced:
            say(f"waiting for run(s) {', '.join(busy)} to finish (they hold {', '.join(tags)})")
            announced = True
        time.sleep(WAIT_POLL_SECONDS)


def execute_job_in_process(
    job: JobDefinition,
    instance: DagsterInstance,
    *,
    tags: Mapping[str, str] | None = None,
    exclusive_tags: Mapping[str, str] | None = None,
    say: Callable[[str], None] = print,
    wait_timeout: float = 3600.0,
    **kwargs: Any,
) -> ExecuteInProcessResult:
    """``job.execute_in_process`` on ``instance`` that never leaves its run STARTED (see the module docstring).

    ``exclusive_tags``: tags whose runs must not overlap with this one (defaults to the job's own tags)."""
    wait_for_tagged_runs(
        instance, exclusive_tags if exclusive_tags is not None else job.tags, say, wait_timeout
    )
    run_id = str(uuid.uuid4())
    watchdog = start_watchdog(run_id=run_id)
    previous = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        return job.execute_in_process(instance=instance, run_id=run_id, tags=tags, **kwargs)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        watchdog.stop()


def _interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signal.Signals(signum).name}")
