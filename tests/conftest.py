"""Fixtures shared by the whole suite: real Azurite, and the lake on both of its backends."""

from __future__ import annotations

import uuid

import pytest

from data_platform.resources.lake import LakeResource
from tests.support.azurite import Azurite, azurite


@pytest.fixture(scope="session")
def azurite_server() -> Azurite:
    with azurite() as server:
        yield server


def azurite_lake(server: Azurite, monkeypatch) -> LakeResource:
    """A fresh, empty lake in its own Azurite container."""
    # The secret travels by environment variable, as in deployment.
    monkeypatch.setenv("AZURE_STORAGE_CONNECTION_STRING", server.connection_string)
    resource = LakeResource(
        root_url=f"abfs://lake-{uuid.uuid4().hex[:12]}/platform",
        auth="connection_string",
        connection_string=server.connection_string,
    )
    resource.check()
    return resource


@pytest.fixture(params=["local", "azurite"])
def lake(request, tmp_path, monkeypatch) -> LakeResource:
    """A fresh, empty lake on a local folder and on Azurite (each test runs against both)."""
    if request.param == "azurite":
        return azurite_lake(request.getfixturevalue("azurite_server"), monkeypatch)
    resource = LakeResource(root_url=str(tmp_path / "lake"))
    resource.check()
    return resource
