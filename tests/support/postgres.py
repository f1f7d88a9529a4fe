"""A throwaway PostgreSQL server from the Debian `postgresql` package, for tests that need Dagster's real storage.

`./platform.sh test` installs the package when `initdb` is missing. The server listens on a free loopback port
with trust authentication and no fsync (test data is disposable). PostgreSQL refuses to run as root, so when the
tests run as root (CI containers) the server runs as the `postgres` system user the package creates.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.support.processes import free_port, wait_for_port

SERVER_USER = "postgres"


def find_server_binaries() -> Path | None:
    """The directory holding initdb, pg_ctl and postgres of ONE PostgreSQL version, or None.

    `initdb` on PATH may be a symlink (e.g. /usr/local/bin/initdb -> /usr/lib/postgresql/15/bin/initdb); resolve
    it so pg_ctl and postgres come from the same version. Debian keeps them off PATH, under
    /usr/lib/postgresql/<version>/bin: take the newest there.
    """
    candidates: list[Path] = []
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(os.path.realpath(on_path)).parent)
    debian = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0,
        reverse=True,
    )
    candidates.extend(Path(p) for p in debian)
    for directory in candidates:
        if all(os.access(directory / tool, os.X_OK) for tool in ("initdb", "pg_ctl", "postgres")):
            return directory
    return None


@dataclass(frozen=True)
class Postgres:
    host: str
    port: int
    user: str
    database: str
    data_dir: Path

    @property
    def url(self) -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.database}"

    def query(self, sql: str, *params: object) -> list[tuple]:
        """Run one statement through psycopg2 (the driver Dagster's storage uses) and return its rows."""
        import psycopg2

        with contextlib.closing(
            psycopg2.connect(host=self.host, port=self.port, user=self.user, dbname=self.database)
        ) as connection:
            connection.autocommit = True  # CREATE DATABASE cannot run inside a transaction
            with connection.cursor() as cursor:
                cursor.execute(sql, params or None)
                return cursor.fetchall() if cursor.description else []


def _server_user_kwargs() -> dict:
    """Run server commands as `postgres` when we are root (initdb and postgres refuse to run as root)."""
    if os.geteuid() != 0:
        return {}
    try:
        pwd.getpwnam(SERVER_USER)
    except KeyError:
        raise RuntimeError(
            f"running as root and there is no '{SERVER_USER}' user to run PostgreSQL as; "
            "install the Debian 'postgresql' package (./platform.sh test does)"
        ) from None
    return {"user": SERVER_USER, "group": SERVER_USER}


@contextlib.contextmanager
def postgres_server(database: str = "dagster", log_path: Path | None = None) -> Iterator[Postgres]:
    """Start a fresh PostgreSQL cluster on 127.0.0.1:<free port>, create `database`, stop and delete it after."""
    binaries = find_server_binaries()
    if binaries is None:
        raise FileNotFoundError("PostgreSQL server binaries (initdb, pg_ctl, postgres) not found")
    as_server_user = _server_user_kwargs()
    # Not under pytest's tmp_path: that is private to root, and the server may run as `postgres`.
    data_dir = Path(tempfile.mkdtemp(prefix="pg-test-"))
    log_file = log_path or data_dir.with_name(data_dir.name + ".log")
    if as_server_user:
        shutil.chown(data_dir, SERVER_USER, SERVER_USER)
        log_file.touch()
        shutil.chown(log_file, SERVER_USER, SERVER_USER)
    port = free_port()
    user = SERVER_USER
    env = {**os.environ, "LC_ALL": "C.UTF-8", "TZ": "UTC"}

    def run(*command: str) -> None:
        subprocess.run(
            [str(binaries / command[0]), *command[1:]],
            check=True,
            capture_output=True,
            env=env,
            cwd="/",
            **as_server_user,
        )

    try:
        run(
            "initdb",
            "--pgdata",
            str(data_dir),
            "--username",
            user,
            "--auth=trust",
            "--encoding=UTF8",
            "--no-sync",
        )
        server_options = (
            f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories='' "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        run(
            "pg_ctl",
            "start",
            "--pgdata",
            str(data_dir),
            "--wait",
            "--log",
            str(log_file),
            "-o",
            server_options,
        )
        try:
            wait_for_port(port, timeout=30)
            server = Postgres("127.0.0.1", port, user, "postgres", data_dir)
            server.query(f'CREATE DATABASE "{database}"')
            yield Postgres("127.0.0.1", port, user, database, data_dir)
        finally:
            # Fast shutdown: disconnect clients rather than wait for them.
            run("pg_ctl", "stop", "--pgdata", str(data_dir), "--mode=fast", "--wait")
    except subprocess.CalledProcessError as error:
        server_log = log_file.read_text(errors="replace")[-4000:] if log_file.exists() else ""
        raise RuntimeError(
            f"PostgreSQL command failed: {error.cmd}\n{error.stderr.decode(errors='replace')}\n"
            f"server log:\n{server_log}"
        ) from None
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
        if log_path is None:
            log_file.unlink(missing_ok=True)
