"""Delta Lake tables on the lake (delta-rs, the `deltalake` package): where a table lives, how to open it with
the lake's own credentials, and one atomic way to (re)write it.

A Delta table is a folder of Parquet files plus a transaction log (`_delta_log/`). A write adds its files first
and then commits one log entry: readers see the previous version or the new one, never a mix, and a write that
fails before its commit leaves the previous version as it was. Readers take no lock, so they never block the
writer, nor the writer them.

Imported by run-time code only (it loads pyarrow and delta-rs): never from a module that defines Dagster objects.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc
from deltalake import DeltaTable, Schema, write_deltalake
from deltalake.exceptions import TableNotFoundError

from data_platform.environment import ConfigError
from data_platform.redaction import redact
from data_platform.resources.lake import LakeResource

# A bounded retry chain: an unreachable lake fails the write in about a minute, not after object_store's default
# of ten retries over three minutes per request.
RETRY_OPTIONS = {"max_retries": "3", "retry_timeout": "60s", "connect_timeout": "10s"}
# Azurite's fixed development account, and where object_store looks for the emulator's address.
EMULATOR_ACCOUNT = "devstoreaccount1"
EMULATOR_URL_VARIABLE = "AZURITE_BLOB_STORAGE_URL"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class DeltaTableError(RuntimeError):
    """A Delta table could not be written or read; the message names the table, never a credential."""


@dataclass(frozen=True)
class DeltaLocation:
    """Where one table lives: ``uri`` and ``storage_options`` are what delta-rs opens (options hold secrets: never
    log them); ``url`` is the address for people and other tools."""

    name: str
    uri: str
    url: str
    storage_options: Mapping[str, str] = field(repr=False)


@dataclass(frozen=True)
class DeltaCommit:
    version: int
    rows_written: int
    columns_added: tuple[str, ...]


def delta_location(lake: LakeResource, relative: str, name: str) -> DeltaLocation:
    """The table at ``relative`` under the lake root: a local folder, or a folder of the lake's ADLS container
    opened with the lake's auth mode."""
    if lake.is_local:
        path = lake.path(relative)
        return DeltaLocation(name=name, uri=path, url=path, storage_options={})
    container, _, prefix = lake.path(relative).partition("/")
    options = {**azure_storage_options(lake), **RETRY_OPTIONS, "timeout": f"{lake.timeout_seconds}s"}
    account = options.get("account_name")
    if options.get("use_emulator"):
        url = f"{os.environ[EMULATOR_URL_VARIABLE]}/{account}/{container}/{prefix}"
    elif options.get("azure_storage_endpoint"):
        url = f"{options['azure_storage_endpoint']}/{container}/{prefix}"
    else:
        url = f"abfss://{container}@{account}.dfs.core.windows.net/{prefix}"
    return DeltaLocation(name=name, uri=f"az://{container}/{prefix}", url=url, storage_options=options)


def azure_storage_options(lake: LakeResource) -> dict[str, str]:
    """delta-rs (object_store) options for the lake's auth mode. ``default_credential`` passes no secret:
    object_store finds the workload identity, managed identity or service principal in the standard AZURE_*
    environment variables, as azure-identity does for the raw layer."""
    mode = lake.auth
    if mode == "connection_string":
        if not lake.connection_string:
            raise ConfigError(
                "AZURE_STORAGE_CONNECTION_STRING is not set (AZURE_STORAGE_AUTH=connection_string)."
            )
        return _connection_string_options(lake.connection_string)
    account = lake.account_name or lake.location.account_name
    if not account:
        raise ConfigError(
            f"AZURE_STORAGE_ACCOUNT_NAME is not set and the lake URL names no account (AZURE_STORAGE_AUTH={mode})."
        )
    options = {"account_name": account}
    if mode == "account_key":
        options["account_key"] = lake.account_key or ""
    elif mode == "sas":
        options["sas_token"] = (lake.sas_token or "").lstrip("?")
    elif mode == "anonymous":
        options["azure_skip_signature"] = "true"
    return options


def _connection_string_options(connection_string: str) -> dict[str, str]:
    parts = dict(
        part.split("=", 1) for part in connection_string.strip().strip(";").split(";") if "=" in part
    )
    if (
        parts.get("UseDevelopmentStorage", "").lower() == "true"
        or parts.get("AccountName") == EMULATOR_ACCOUNT
    ):
        return _emulator_options(parts)
    options = {"account_name": parts.get("AccountName", "")}
    if parts.get("AccountKey"):
        options["account_key"] = parts["AccountKey"]
    if parts.get("SharedAccessSignature"):
        options["sas_token"] = parts["SharedAccessSignature"]
    if parts.get("BlobEndpoint"):  # a custom domain
        options["azure_storage_endpoint"] = parts["BlobEndpoint"].rstrip("/")
    return options


def _emulator_options(parts: dict[str, str]) -> dict[str, str]:
    """Azurite: object_store must know it talks to the emulator (which lists blobs without `startFrom`, so a
    table's log beyond version 1 is misread otherwise), and takes the emulator's address only from the process
    environment. Development and tests only: the emulator's account is the well-known `devstoreaccount1`."""
    endpoint = parts.get("BlobEndpoint", "http://127.0.0.1:10000/" + EMULATOR_ACCOUNT)
    scheme, _, rest = endpoint.partition("://")
    os.environ[EMULATOR_URL_VARIABLE] = f"{scheme}://{rest.split('/', 1)[0]}"
    options = {"use_emulator": "true", "allow_http": "true", "account_name": EMULATOR_ACCOUNT}
    if parts.get("AccountKey"):
        options["account_key"] = parts["AccountKey"]
    return options


# -- reading ------------------------------------------------------------------------------------------------------


def open_table(location: DeltaLocation, version: int | None = None) -> DeltaTable | None:
    """The table (at ``version``, else the latest), or None when it does not exist yet."""
    with _errors(location, "open"):
        try:
            return DeltaTable(location.uri, version=version, storage_options=dict(location.storage_options))
        except TableNotFoundError:
            return None


def row_count(table: DeltaTable) -> int:
    """Rows of the table's current version, from the log's file statistics (no data file is read)."""
    actions = pa.table(table.get_add_actions(flatten=True))
    return int(pc.sum(actions.column("num_records")).as_py() or 0) if actions.num_rows else 0


# -- writing ------------------------------------------------------------------------------------------------------


def replace_rows(
    location: DeltaLocation,
    data: pa.RecordBatchReader,
    *,
    partition_by: list[str] | None = None,
    replace_where: str | None = None,
    replace_schema: bool = False,
) -> DeltaCommit:
    """Replace the rows matching ``replace_where`` (every row when None) with ``data``, in one commit.

    The table is created when missing. A column new in ``data`` is added to the table (its older rows hold null);
    a column ``data`` lacks or whose type changed fails naming the table and the column, unless
    ``replace_schema`` (a whole-table replace) makes ``data``'s schema the table's.
    """
    existing = open_table(location)
    added: tuple[str, ...] = ()
    if existing is not None and not replace_schema:
        added = _columns_added(location, existing, data.schema)
    counted = _CountingReader(data)
    schema_mode = "overwrite" if replace_schema else ("merge" if added else None)
    with _errors(location, "write"):
        write_deltalake(
            location.uri,
            counted.reader(),
            mode="overwrite",
            predicate=None if existing is None else replace_where,
            partition_by=partition_by,
            schema_mode=schema_mode,
            storage_options=dict(location.storage_options),
        )
    table = open_table(location)
    assert table is not None  # just written
    return DeltaCommit(version=table.version(), rows_written=counted.rows, columns_added=added)


def delete_rows(location: DeltaLocation, predicate: str) -> int | None:
    """Delete the rows matching ``predicate`` in one commit; the new version, or None when nothing matched."""
    table = open_table(location)
    if table is None:
        return None
    with _errors(location, "delete rows"):
        deleted = table.delete(predicate).get("num_deleted_rows", 0)
    return table.version() if deleted else None


def vacuum(location: DeltaLocation) -> int:
    """Delete files no version younger than the table's retention (7 days by default) needs; returns how many.
    Readers of the current and recent versions are not affected."""
    table = open_table(location)
    if table is None:
        return 0
    with _errors(location, "vacuum"):
        return len(table.vacuum(dry_run=False))


def _columns_added(location: DeltaLocation, table: DeltaTable, incoming: pa.Schema) -> tuple[str, ...]:
    """Columns of ``incoming`` the table lacks; fails on a column dropped or retyped (never silently)."""
    current = {f.name: f.type for f in table.schema().fields}
    with _errors(location, "read the schema of the new rows"):
        wanted = {f.name: f.type for f in Schema.from_arrow(incoming).fields}
    for name, kind in current.items():
        if name not in wanted:
            raise DeltaTableError(
                f"Delta table {location.name}: the new rows lack column {name!r}, which the table has. A dropped "
                "column is never removed silently: rebuild the table whole (a full refresh) to drop it."
            )
        if wanted[name] != kind:
            raise DeltaTableError(
                f"Delta table {location.name}: column {name!r} changed type from {_type_name(kind)} to "
                f"{_type_name(wanted[name])}. "
                "Rebuild the table whole (a full refresh) to change a column's type."
            )
    return tuple(name for name in wanted if name not in current)


def _type_name(kind: object) -> str:
    """`long`, `decimal(18,5)`, `ArrayType(string, ...)`: Delta's names, without the Python wrapper."""
    return re.sub(r'PrimitiveType\("([^"]+)"\)', r"\1", str(kind))


class _CountingReader:
    """Streams ``data`` through unchanged, counting its rows."""

    def __init__(self, data: pa.RecordBatchReader) -> None:
        self._data = data
        self.rows = 0

    def reader(self) -> pa.RecordBatchReader:
        return pa.RecordBatchReader.from_batches(self._data.schema, self._batches())

    def _batches(self) -> Iterator[pa.RecordBatch]:
        for batch in self._data:
            self.rows += batch.num_rows
            yield batch


@contextlib.contextmanager
def _errors(location: DeltaLocation, action: str) -> Iterator[None]:
    """Any failure of delta-rs becomes one DeltaTableError naming the table, with every secret scrubbed."""
    try:
        yield
    except (DeltaTableError, TableNotFoundError):
        raise
    except Exception as error:
        raise DeltaTableError(
            f"Delta table {location.name} ({location.url}): could not {action}: {_reason(error, location)}"
        ) from None


def _reason(error: BaseException, location: DeltaLocation) -> str:
    """The error on one line: delta-rs adds ANSI colours, tree marks and a native backtrace."""
    lines = [line.strip(" ↳") for line in _ANSI.sub("", str(error)).splitlines()]
    text = " ".join(line for line in lines if line and not re.match(r"^\d+: |^at ", line))
    for secret in (location.storage_options.get(key) for key in ("account_key", "sas_token")):
        if secret:
            text = text.replace(secret, "***")
    return redact(f"{type(error).__name__}: {text}")[:600]
