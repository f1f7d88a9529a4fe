"""What a killed writer leaves, and which of it the next run removes: only what no live writer can still own.

Real processes and a real Azurite: a leftover of a process that has ended on this machine goes at once, one of a
process still running stays, one of another machine (which cannot be asked) goes once it has not changed for long.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from data_platform.resources import lake as lake_module
from data_platform.resources.lake import LakeResource
from tests.conftest import azurite_lake

FOLDER = "raw/square/orders"
PARTITION = f"{FOLDER}/date=2026-11-12"


def _ended_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def _temp_name(pid: int | None, host: str = lake_module._HOST) -> str:
    suffix = f"-{pid}-{host}" if pid is not None else ""
    return f".part-000.parquet.tmp-{uuid.uuid4().hex}{suffix}"


def test_local_temp_files_of_ended_or_long_silent_writers_are_removed(tmp_path):
    lake = LakeResource(root_url=str(tmp_path / "lake"))
    folder = Path(lake.path(PARTITION))
    folder.mkdir(parents=True)
    dead = folder / _temp_name(_ended_pid())
    alive = folder / _temp_name(os.getpid())
    other_machine_recent = folder / _temp_name(4242, host="0123abcd")
    other_machine_silent = folder / _temp_name(4242, host="0123abcd")
    before_pids_recent = folder / _temp_name(None)
    before_pids_silent = folder / _temp_name(None)
    for path in (
        dead,
        alive,
        other_machine_recent,
        other_machine_silent,
        before_pids_recent,
        before_pids_silent,
    ):
        path.write_bytes(b"PAR1 half a file")
    hours_ago = time.time() - 3 * 3600
    for path in (other_machine_silent, before_pids_silent):
        os.utime(path, (hours_ago, hours_ago))
    (folder / "part-000.parquet").write_bytes(b"PAR1 the published file")

    removed = lake.prepare_for_writes(FOLDER)

    assert sorted(removed) == sorted(
        lake.relative(str(p)) for p in (dead, other_machine_silent, before_pids_silent)
    )
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        p.name for p in (alive, other_machine_recent, before_pids_recent, folder / "part-000.parquet")
    )


@pytest.mark.azurite
def test_azure_staging_folders_of_ended_processes_are_removed(tmp_path, azurite_server, monkeypatch):
    lake = azurite_lake(azurite_server, monkeypatch)
    root = Path(tempfile.gettempdir())
    dead = Path(tempfile.mkdtemp(prefix=f"lake-stage-{_ended_pid()}-{lake_module._HOST}-", dir=root))
    alive = Path(tempfile.mkdtemp(prefix=f"lake-stage-{os.getpid()}-{lake_module._HOST}-", dir=root))
    (dead / "part-000.parquet").write_bytes(b"x" * 1000)
    try:
        removed = lake.prepare_for_writes(FOLDER)
        assert str(dead) in removed and not dead.exists()
        assert alive.exists()
    finally:
        for folder in (dead, alive):
            if folder.exists():
                for child in folder.iterdir():
                    child.unlink()
                folder.rmdir()


@pytest.mark.azurite
def test_uncommitted_uploads_are_removed_once_no_block_is_being_staged(azurite_server, monkeypatch):
    from azure.storage.blob import ContainerClient

    lake = azurite_lake(azurite_server, monkeypatch)
    lake.write_bytes(f"{FOLDER}/date=2026-11-11/part-000.parquet", b"committed")
    container = ContainerClient.from_connection_string(
        azurite_server.connection_string, lake.path().split("/")[0]
    )
    killed_upload = container.get_blob_client(lake.path(f"{PARTITION}/part-000.parquet").split("/", 1)[1])
    killed_upload.stage_block("YmxvY2stMQ==", b"the first 4 MiB of a killed upload")

    def uncommitted() -> list[str]:
        committed = {b.name for b in container.list_blobs()}
        return [b.name for b in container.list_blobs(include=["uncommittedblobs"]) if b.name not in committed]

    assert uncommitted() == [killed_upload.blob_name]
    # Blocks staged moments ago may belong to a live upload on another machine: kept for now...
    assert lake.prepare_for_writes(FOLDER) == []
    assert uncommitted() == [killed_upload.blob_name]
    # ...and removed once nothing has been staged for longer than an upload ever pauses.
    monkeypatch.setattr(lake_module, "UPLOAD_STALE_AFTER_SECONDS", 0.0)
    assert lake.prepare_for_writes(FOLDER) == [f"{PARTITION}/part-000.parquet"]
    assert uncommitted() == []
    assert lake.read_bytes(f"{FOLDER}/date=2026-11-11/part-000.parquet") == b"committed"
