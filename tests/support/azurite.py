"""Azurite (npm), the Azure Blob Storage emulator: the stand-in for ADLS Gen2 in tests."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

from tests.support.processes import REPO_ROOT, free_port, running

AZURITE_BIN = REPO_ROOT / "tests" / "azurite" / "node_modules" / ".bin" / "azurite-blob"
# Azurite's published development account (not a secret: https://learn.microsoft.com/azure/storage/common/storage-use-azurite).
ACCOUNT = "devstoreaccount1"
ACCOUNT_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="


@dataclass(frozen=True)
class Azurite:
    port: int

    @property
    def blob_endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/{ACCOUNT}"

    @property
    def connection_string(self) -> str:
        return (
            f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={ACCOUNT_KEY};"
            f"BlobEndpoint={self.blob_endpoint};"
        )


@contextlib.contextmanager
def azurite() -> Iterator[Azurite]:
    if not AZURITE_BIN.exists():
        raise RuntimeError(
            f"Azurite is not installed at {AZURITE_BIN}; run ./platform.sh test (it runs npm ci)."
        )
    port = free_port()
    command = [
        str(AZURITE_BIN),
        "--blobHost", "127.0.0.1", "--blobPort", str(port),
        "--inMemoryPersistence", "--loose", "--skipApiVersionCheck", "--disableTelemetry", "--silent",
    ]  # fmt: skip
    with running(command, port, timeout=30):
        yield Azurite(port)
