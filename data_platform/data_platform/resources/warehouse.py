"""The warehouse: one DuckDB file, with the lake's filesystem registered so SQL can read lake URLs.

DuckDB lets one process open a database file read-write and, meanwhile, nobody else at all (processes can share
it only when all of them open it read-only). So whoever opens the warehouse here waits a bounded time for a file
someone else holds, then fails naming the file and the process holding it (``WarehouseBusy``). The engine's
memory is bounded (``memory_limit``): beyond it DuckDB spills to ``temp_directory``.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
from dagster import ConfigurableResource
from pydantic import Field

from data_platform.resources.lake import LakeResource

# DuckDB: 'Could not set lock on file "...": Conflicting lock is held in /usr/bin/python3 (PID 42) by user x.'
_LOCK_CONFLICT = re.compile(
    r"Conflicting lock is held in (?P<program>.+?) \(PID (?P<pid>\d+)\)(?: by user (?P<user>\S+?))?[.;]?"
)
_POLL_SECONDS = 1.0


class WarehouseBusy(RuntimeError):
    """Another process holds the warehouse file open; the message names the file and that process."""


def is_lock_conflict(error: BaseException | str) -> bool:
    return "Could not set lock on file" in str(error)


def lock_holder(message: str) -> str:
    """Who holds the file, as DuckDB reports it: 'program (PID n, user u)'."""
    match = _LOCK_CONFLICT.search(message)
    if not match:
        return "another process"
    user = f", user {match['user']}" if match["user"] else ""
    return f"{match['program']} (PID {match['pid']}{user})"


def busy_message(database_path: str, duckdb_message: str, waited_seconds: float | None = None) -> str:
    waited = f" (waited {waited_seconds:.0f} s for it)" if waited_seconds is not None else ""
    return (
        f"The warehouse {database_path} is held open by {lock_holder(duckdb_message)}{waited}. DuckDB lets "
        "no other process open the file while one writes it, so nothing else may hold it open: analysts read "
        "the gold tables on the lake (README, Analysts' guide), never this file. Close that process, then run "
        "again (nothing was written)."
    )


class WarehouseResource(ConfigurableResource):
    database_path: str = Field(description="Path of the DuckDB file (the marts built by dbt live here).")
    lake: LakeResource
    memory_limit: str = Field(
        default="2GB", description="DuckDB memory_limit; beyond it DuckDB spills to disk."
    )
    temp_directory: str = Field(
        default="", description="Where DuckDB spills; empty = next to the database file (`<file>.tmp`)."
    )
    lock_wait_seconds: int = Field(
        default=120, description="How long to wait for a warehouse file another process holds open."
    )

    @property
    def spill_directory(self) -> str:
        return self.temp_directory or f"{self.database_path}.tmp"

    def engine_config(self) -> dict[str, str]:
        """DuckDB options applied once at connect (dbt's profile applies the same through its environment)."""
        return {"memory_limit": self.memory_limit, "temp_directory": self.spill_directory}

    @contextlib.contextmanager
    def get_connection(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        connection = self._connect(read_only)
        try:
            self.lake.register_with_duckdb(connection)
            yield connection
        finally:
            connection.close()

    def wait_until_free(self) -> None:
        """Return once this process could open the file read-write (a writer is about to start), or raise
        WarehouseBusy after ``lock_wait_seconds``."""
        self._connect(read_only=False).close()

    def _connect(self, read_only: bool) -> duckdb.DuckDBPyConnection:
        if not read_only:
            Path(self.database_path).parent.mkdir(parents=True, exist_ok=True)
        Path(self.spill_directory).parent.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        while True:
            try:
                return duckdb.connect(self.database_path, read_only=read_only, config=self.engine_config())
            except duckdb.IOException as error:
                waited = time.monotonic() - started
                if not is_lock_conflict(error):
                    raise
                if waited >= self.lock_wait_seconds:
                    raise WarehouseBusy(busy_message(self.database_path, str(error), waited)) from None
                time.sleep(_POLL_SECONDS)
