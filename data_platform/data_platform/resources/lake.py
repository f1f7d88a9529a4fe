"""The lake: one root URL, a local folder or Azure Data Lake Storage Gen2 (through adlfs and the Blob API).

Every domain writes under the same root. Writers publish whole files atomically: a reader sees the previous file
or the new one, never a half-written one, and a writer that fails leaves the previous file in place. Locally this
is ``os.replace`` of a temp file in the same folder; on Azure it is a block-blob upload, whose blocks stay invisible
until the final Put Block List commits them in one step.

A writer killed outright (``kill -9``, an OOM kill) cannot clean up after itself: it leaves a hidden temp file beside
the destination (local), or a local staging folder and uncommitted blocks (Azure). Their names say which process
on which machine wrote them, so :meth:`LakeResource.prepare_for_writes`, called by every run before it writes,
removes those whose writer is gone: at once when it ran on this machine and its process has ended, after
``STALE_AFTER_SECONDS`` without a change otherwise. The same call finds a wrong key, an unreachable endpoint or a
read-only credential before a run pulls anything.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import socket
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import fsspec
from dagster import ConfigurableResource
from pydantic import Field, PrivateAttr

from data_platform.environment import ConfigError
from data_platform.lake_location import AZURE_SECRETS, LakeLocation, parse_lake_url
from data_platform.redaction import redact

__all__ = ["LakeError", "LakeLocation", "LakeResource", "parse_lake_url"]

# Leftovers of a writer on another machine (whose process cannot be looked up) are removed after this long
# without a change; an active writer touches its temp file at least every row group.
STALE_AFTER_SECONDS = 2 * 3600.0
# An upload stages its blocks back to back: an uncommitted blob unchanged this long has no writer any more.
UPLOAD_STALE_AFTER_SECONDS = 15 * 60.0
_HOST = hashlib.sha1(socket.gethostname().encode()).hexdigest()[:8]
# .<name>.tmp-<uuid>-<pid>-<host> (files written before the pid and host were added: .<name>.tmp-<uuid>)
_TEMP_FILE = re.compile(r"^\..+\.tmp-[0-9a-f]{32}(?:-(\d+)-([0-9a-f]{8}))?$")
_STAGE_DIR_PREFIX = "lake-stage-"
_STAGE_DIR = re.compile(r"^lake-stage-(\d+)-([0-9a-f]{8})-")
_WRITE_PROBE = ".platform-write-check"


def _writer_suffix() -> str:
    return f"{uuid.uuid4().hex}-{os.getpid()}-{_HOST}"


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def _writer_gone(pid: str | None, host: str | None, modified: float) -> bool:
    """Whether the writer of a leftover has stopped: asked of this machine's processes when it ran here."""
    if pid is not None and host == _HOST:
        return not _process_alive(int(pid))
    return time.time() - modified > STALE_AFTER_SECONDS


def remove_local_staging_leftovers() -> list[str]:
    """Staging folders of Azure uploads (in this machine's temp folder) whose process has ended."""
    removed = []
    root = Path(tempfile.gettempdir())
    for folder in root.glob(f"{_STAGE_DIR_PREFIX}*"):
        match = _STAGE_DIR.match(folder.name)
        pid, host = match.groups() if match else (None, None)
        with contextlib.suppress(FileNotFoundError):
            if folder.is_dir() and _writer_gone(pid, host, folder.stat().st_mtime):
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(str(folder))
    return removed


class LakeError(RuntimeError):
    """The lake could not be read or written. The message names the lake root, never a credential."""


def _bounded_retry_filesystem_class():
    """adlfs builds its Azure client with the SDK's default retry policy, which keeps an unreachable endpoint
    busy for minutes. Rebuild the client with bounded retries so a wrong URL fails in seconds: three retries after
    1, 3 and 5 s (±1 s), so an outage of up to ~6 s is ridden out and a longer one fails within ~15 s."""
    from adlfs import AzureBlobFileSystem
    from azure.storage.blob.aio import ExponentialRetry

    class BoundedRetryBlobFileSystem(AzureBlobFileSystem):
        def do_connect(self):
            super().do_connect()
            client = self.service_client
            options = {
                "retry_policy": ExponentialRetry(
                    initial_backoff=1, increment_base=2, retry_total=3, random_jitter_range=1
                ),
                "connection_timeout": self._timeout_kwargs.get("connection_timeout", 30),
                "read_timeout": self._timeout_kwargs.get("read_timeout", 30),
            }
            if self.connection_string is not None:
                self.service_client = type(client).from_connection_string(self.connection_string, **options)
            else:
                self.service_client = type(client)(
                    account_url=client.url, credential=client.credential, **options
                )

    return BoundedRetryBlobFileSystem


class LakeResource(ConfigurableResource):
    """Reads and writes files under the lake root. Paths given to its methods are relative to the root."""

    root_url: str = Field(
        description="Local path, file:// URL, abfs://container/prefix or abfss://container@host/prefix."
    )
    auth: str = Field(
        default="connection_string",
        description="Azure only: connection_string, account_key, sas, default_credential or anonymous.",
    )
    account_name: str | None = Field(default=None, description="Azure storage account name (not secret).")
    connection_string: str | None = Field(
        default=None, description="Secret; pass EnvVar('AZURE_STORAGE_CONNECTION_STRING')."
    )
    account_key: str | None = Field(
        default=None, description="Secret; pass EnvVar('AZURE_STORAGE_ACCOUNT_KEY')."
    )
    sas_token: str | None = Field(default=None, description="Secret; pass EnvVar('AZURE_STORAGE_SAS_TOKEN').")
    timeout_seconds: int = Field(default=30, description="Connect/read timeout for Azure requests.")

    _fs: fsspec.AbstractFileSystem | None = PrivateAttr(default=None)

    @property
    def location(self) -> LakeLocation:
        return parse_lake_url(self.root_url)

    @property
    def is_local(self) -> bool:
        return self.location.protocol == "file"

    def connection_environment(self) -> dict[str, str]:
        """The environment variables another process (dbt) needs to open this lake the same way: the storage
        account and the secret of the configured auth mode. Values travel as environment only, never as args."""
        if self.is_local:
            return {}
        values = {}
        account_name = self.account_name or self.location.account_name
        if account_name:
            values["AZURE_STORAGE_ACCOUNT_NAME"] = account_name
        secret = AZURE_SECRETS.get(self.auth)
        if secret and getattr(self, secret.resource_field):
            values[secret.variable] = getattr(self, secret.resource_field)
        return values

    # -- filesystem -------------------------------------------------------------------------------------------

    def filesystem(self) -> fsspec.AbstractFileSystem:
        if self._fs is None:
            self._fs = self._make_filesystem()
        return self._fs

    def _make_filesystem(self) -> fsspec.AbstractFileSystem:
        if self.is_local:
            return fsspec.filesystem("file", auto_mkdir=True)
        account_name = self.account_name or self.location.account_name
        common = {
            "connection_timeout": self.timeout_seconds,
            "read_timeout": self.timeout_seconds,
            "skip_instance_cache": True,
        }
        AzureBlobFileSystem = _bounded_retry_filesystem_class()
        mode = self.auth
        if mode == "connection_string":
            if not self.connection_string:
                raise ConfigError(
                    "AZURE_STORAGE_CONNECTION_STRING is not set (AZURE_STORAGE_AUTH=connection_string)."
                )
            return AzureBlobFileSystem(connection_string=self.connection_string, **common)
        if not account_name:
            raise ConfigError(
                f"AZURE_STORAGE_ACCOUNT_NAME is not set and the lake URL names no account (AZURE_STORAGE_AUTH={mode})."
            )
        if mode == "account_key":
            if not self.account_key:
                raise ConfigError("AZURE_STORAGE_ACCOUNT_KEY is not set (AZURE_STORAGE_AUTH=account_key).")
            return AzureBlobFileSystem(account_name=account_name, account_key=self.account_key, **common)
        if mode == "sas":
            if not self.sas_token:
                raise ConfigError("AZURE_STORAGE_SAS_TOKEN is not set (AZURE_STORAGE_AUTH=sas).")
            return AzureBlobFileSystem(account_name=account_name, sas_token=self.sas_token, **common)
        if mode == "default_credential":
            return AzureBlobFileSystem(account_name=account_name, anon=False, **common)
        if mode == "anonymous":
            return AzureBlobFileSystem(account_name=account_name, anon=True, **common)
        raise ConfigError(f"AZURE_STORAGE_AUTH={mode!r} is not valid.")

    # -- paths ------------------------------------------------------------------------------------------------

    def path(self, relative: str = "") -> str:
        """Path in the filesystem's own terms (local absolute path, or container/prefix/...)."""
        return self.location.join(relative)

    def url(self, relative: str = "") -> str:
        """URL that DuckDB (with this lake's filesystem registered) and dbt can read."""
        path = self.path(relative)
        return path if self.is_local else f"abfs://{path}"

    def relative(self, path: str) -> str:
        root = self.location.root.rstrip("/") + "/"
        path = path.split("://", 1)[-1]
        return path[len(root) :] if path.startswith(root) else path

    @contextlib.contextmanager
    def _errors(self, action: str) -> Iterator[None]:
        try:
            yield
        except (ConfigError, LakeError, FileNotFoundError):
            raise
        except Exception as exc:
            reason = redact(f"{type(exc).__name__}: {exc}").splitlines()[0][:300]
            raise LakeError(f"Lake {redact(self.root_url)!r}: could not {action} ({reason})") from None

    # -- operations -------------------------------------------------------------------------------------------

    def check(self) -> None:
        """Make sure the root exists and is reachable; create it when missing (a container on Azure)."""
        with self._errors("reach the lake root"):
            fs = self.filesystem()
            root = self.path()
            if self.is_local:
                Path(root).mkdir(parents=True, exist_ok=True)
            else:
                # One request, so an unreachable endpoint fails after one bounded retry chain.
                container = root.split("/", 1)[0]
                try:
                    fs.ls(container)
                except FileNotFoundError:
                    fs.mkdir(container)

    def prepare_for_writes(self, folder: str) -> list[str]:
        """Before a run writes under ``folder``: the lake answers and accepts a write (a wrong key, an unreachable
        endpoint or a read-only credential fail here, in seconds, not after a day has been pulled), and what
        killed writers left behind is removed. Returns the leftovers removed (paths relative to the root)."""
        self.check()
        with self._errors("write to the lake root (checked before any data is pulled)"):
            probe = self.path(f"{_WRITE_PROBE}/{_writer_suffix()}")
            self.filesystem().pipe_file(probe, b"")
            self.filesystem().rm(probe)
        return self.remove_leftovers(folder)

    def remove_leftovers(self, folder: str) -> list[str]:
        """Hidden temp files (local) or uncommitted uploads and staging folders (Azure) under ``folder`` whose
        writer has stopped (see the module docstring)."""
        with self._errors(f"clean up {folder}"):
            if self.is_local:
                return self._remove_local_temp_files(folder)
            removed = remove_local_staging_leftovers()
            return removed + self._remove_uncommitted_blobs(folder)

    def _remove_local_temp_files(self, folder: str) -> list[str]:
        removed = []
        for directory, _, names in os.walk(self.path(folder)):
            for name in names:
                match = _TEMP_FILE.match(name)
                if not match:
                    continue
                path = Path(directory) / name
                with contextlib.suppress(FileNotFoundError):
                    if _writer_gone(*match.groups(), path.stat().st_mtime):
                        path.unlink()
                        removed.append(self.relative(str(path)))
        return removed

    def _remove_uncommitted_blobs(self, folder: str) -> list[str]:
        """Blobs with only uncommitted blocks (an upload killed before its commit), no block staged lately."""
        from fsspec.asyn import sync

        fs = self.filesystem()
        container, _, prefix = self.path(folder).partition("/")

        async def remove() -> list[str]:
            client = fs.service_client.get_container_client(container)
            committed = {b.name async for b in client.list_blobs(name_starts_with=prefix)}
            removed = []
            async for blob in client.list_blobs(name_starts_with=prefix, include=["uncommittedblobs"]):
                age = time.time() - blob.last_modified.timestamp() if blob.last_modified else 0.0
                if blob.name not in committed and age > UPLOAD_STALE_AFTER_SECONDS:
                    await client.delete_blob(blob.name)
                    removed.append(self.relative(f"{container}/{blob.name}"))
            return removed

        return sync(fs.loop, remove)

    def exists(self, relative: str) -> bool:
        with self._errors(f"check {relative}"):
            self._invalidate()
            return self.filesystem().exists(self.path(relative))

    def read_bytes(self, relative: str) -> bytes:
        with self._errors(f"read {relative}"):
            return self.filesystem().cat_file(self.path(relative))

    def write_bytes(self, relative: str, data: bytes) -> None:
        with self.staged_file(relative) as local_path:
            local_path.write_bytes(data)

    def find(self, relative: str = "", suffix: str = "") -> list[str]:
        """Files below ``relative`` (relative paths, sorted), skipping hidden/temporary ones."""
        with self._errors(f"list {relative}"):
            self._invalidate()
            base = self.path(relative)
            if not self.filesystem().exists(base):
                return []
            found = self.filesystem().find(base)
        names = [self.relative(p) for p in found]
        return sorted(n for n in names if n.endswith(suffix) and not Path(n).name.startswith("."))

    def delete(self, relative: str, recursive: bool = False) -> None:
        with self._errors(f"delete {relative}"):
            fs = self.filesystem()
            if fs.exists(self.path(relative)):
                fs.rm(self.path(relative), recursive=recursive)
            self._invalidate()

    @contextlib.contextmanager
    def staged_file(self, relative: str) -> Iterator[Path]:
        """Yield a local path to write; on success publish it atomically at ``relative``.

        On an exception nothing is published and the previous file, if any, stays as it was.
        """
        destination = self.path(relative)
        if self.is_local:
            Path(destination).parent.mkdir(parents=True, exist_ok=True)
            # Same folder as the destination, so os.replace is an atomic rename. The leading dot hides it from
            # readers that glob *.parquet.
            staging = Path(destination).parent / f".{Path(destination).name}.tmp-{_writer_suffix()}"
            try:
                yield staging
                os.replace(staging, destination)
            finally:
                staging.unlink(missing_ok=True)
            return
        # Named after this process, so a later run can tell a killed writer's folder from a live one's.
        tmpdir = tempfile.mkdtemp(prefix=f"{_STAGE_DIR_PREFIX}{os.getpid()}-{_HOST}-")
        staging = Path(tmpdir) / Path(destination).name
        try:
            yield staging
            with self._errors(f"write {relative}"):
                self.filesystem().put_file(str(staging), destination, overwrite=True)
                self._invalidate()
        finally:
            shutil.rmtree(tmpdir, ignore_errors=True)

    def _invalidate(self) -> None:
        if not self.is_local:
            self.filesystem().invalidate_cache()

    def register_with_duckdb(self, connection) -> None:
        """Let DuckDB read (and COPY to) this lake's URLs."""
        if not self.is_local:
            connection.register_filesystem(self.filesystem())
