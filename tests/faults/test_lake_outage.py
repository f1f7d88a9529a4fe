"""The Azure lake through an outage of its endpoint (Azurite behind a proxy of the test that cuts every
connection): a few seconds are ridden out by the bounded retries; a long one ends in one clear LakeError, in
seconds, naming the lake and never the key."""

from __future__ import annotations

import threading
import time
import uuid

import pytest

from data_platform.resources.lake import LakeError, LakeResource
from tests.faults.tcp_proxy import flaky_proxy
from tests.support.azurite import ACCOUNT_KEY

pytestmark = pytest.mark.azurite


@pytest.fixture
def proxied_lake(azurite_server):
    with flaky_proxy(azurite_server.port) as proxy:
        connection_string = azurite_server.connection_string.replace(
            f":{azurite_server.port}/", f":{proxy.port}/"
        )
        lake = LakeResource(
            root_url=f"abfs://outage-{uuid.uuid4().hex[:8]}/platform",
            connection_string=connection_string,
            timeout_seconds=5,
        )
        lake.check()
        yield lake, proxy


def _outage(proxy, seconds: float) -> threading.Thread:
    proxy.down()
    timer = threading.Timer(seconds, proxy.up)
    timer.start()
    return timer


def test_five_seconds_down_is_ridden_out(proxied_lake):
    lake, proxy = proxied_lake
    lake.write_bytes("raw/x/part-000.parquet", b"before")
    _outage(proxy, 5).join(0)
    started = time.monotonic()
    lake.write_bytes("raw/x/part-000.parquet", b"during the outage")
    assert time.monotonic() - started >= 4, "the write should have waited for the endpoint"
    assert lake.read_bytes("raw/x/part-000.parquet") == b"during the outage"
    assert lake.prepare_for_writes("raw/x") == []


def test_a_long_outage_is_one_clear_lake_error_in_seconds(proxied_lake):
    lake, proxy = proxied_lake
    lake.write_bytes("raw/x/part-000.parquet", b"before")
    timer = _outage(proxy, 60)
    try:
        started = time.monotonic()
        with pytest.raises(LakeError) as failure:
            lake.prepare_for_writes("raw/x")
        elapsed = time.monotonic() - started
    finally:
        timer.cancel()
        proxy.up()
    message = str(failure.value)
    assert message.startswith(f"Lake '{lake.root_url}': could not reach the lake root (")
    assert "\n" not in message and ACCOUNT_KEY not in message
    assert elapsed < 30
    assert lake.read_bytes("raw/x/part-000.parquet") == b"before"  # nothing half-written
