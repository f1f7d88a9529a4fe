"""The lake behaves the same on a local folder and on Azurite (ADLS Gen2's stand-in)."""

from __future__ import annotations

import threading

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from data_platform.resources import WarehouseResource
from data_platform.resources.lake import LakeError, LakeResource, parse_lake_url
from data_platform.settings import ConfigError


def test_round_trip_and_listing(lake: LakeResource):
    lake.write_bytes("raw/demo/date=2026-11-01/part-000.json", b'{"a": 1}')
    lake.write_bytes("raw/demo/date=2026-11-02/part-000.json", b'{"a": 2}')
    assert lake.read_bytes("raw/demo/date=2026-11-02/part-000.json") == b'{"a": 2}'
    assert lake.find("raw/demo") == [
        "raw/demo/date=2026-11-01/part-000.json",
        "raw/demo/date=2026-11-02/part-000.json",
    ]
    assert lake.exists("raw/demo/date=2026-11-01/part-000.json")
    lake.delete("raw/demo/date=2026-11-01", recursive=True)
    assert lake.find("raw/demo") == ["raw/demo/date=2026-11-02/part-000.json"]
    assert lake.find("raw/nothing-here") == []


def test_failed_write_keeps_the_previous_file(lake: LakeResource):
    lake.write_bytes("raw/x/part-000.parquet", b"old")
    with pytest.raises(RuntimeError, match="boom"), lake.staged_file("raw/x/part-000.parquet") as staged:
        staged.write_bytes(b"half of the new")
        raise RuntimeError("boom")
    assert lake.read_bytes("raw/x/part-000.parquet") == b"old"
    assert lake.find("raw/x") == ["raw/x/part-000.parquet"]  # no temp file left behind


def test_readers_see_the_old_file_until_the_new_one_is_complete(lake: LakeResource):
    lake.write_bytes("raw/x/data.bin", b"A" * 1000)
    writing, reader_done = threading.Event(), threading.Event()
    seen: list[bytes] = []

    def reader():
        writing.wait(5)
        seen.append(lake.read_bytes("raw/x/data.bin"))
        reader_done.set()

    thread = threading.Thread(target=reader)
    thread.start()
    with lake.staged_file("raw/x/data.bin") as staged, staged.open("wb") as handle:
        handle.write(b"B" * 500)
        writing.set()
        reader_done.wait(5)
        handle.write(b"B" * 1500)
    thread.join()
    assert seen == [b"A" * 1000]
    assert lake.read_bytes("raw/x/data.bin") == b"B" * 2000


def test_duckdb_reads_parquet_from_the_lake(lake: LakeResource, tmp_path):
    for day, amounts in {"2026-11-01": [100, 250], "2026-11-02": [75]}.items():
        with lake.staged_file(f"raw/orders/date={day}/part-000.parquet") as staged:
            pq.write_table(
                pa.table({"id": [f"{day}-{i}" for i in range(len(amounts))], "amount": amounts}), staged
            )
    warehouse = WarehouseResource(database_path=str(tmp_path / "wh.duckdb"), lake=lake)
    with warehouse.get_connection() as con:
        rows = con.execute(
            f"select date, count(*), sum(amount) from read_parquet('{lake.url('raw/orders')}/*/*.parquet', "
            "hive_partitioning=true) group by date order by date"
        ).fetchall()
    assert [(str(d), n, int(s)) for d, n, s in rows] == [("2026-11-01", 2, 350), ("2026-11-02", 1, 75)]


def test_url_forms():
    assert parse_lake_url("abfss://lake@acct.dfs.core.windows.net/raw").root == "lake/raw"
    assert parse_lake_url("abfss://lake@acct.dfs.core.windows.net/raw").account_name == "acct"
    assert parse_lake_url("file:///tmp/lake").root == "/tmp/lake"
    assert LakeResource(root_url="abfs://c/p").url("raw/a.parquet") == "abfs://c/p/raw/a.parquet"
    with pytest.raises(ConfigError, match="unsupported scheme 'gs'"):
        parse_lake_url("gs://bucket")


def test_unreachable_azure_gives_a_clear_error_without_the_key():
    from tests.support.azurite import ACCOUNT_KEY
    from tests.support.processes import free_port

    connection_string = (
        f"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={ACCOUNT_KEY};"
        f"BlobEndpoint=http://127.0.0.1:{free_port()}/devstoreaccount1;"
    )
    lake = LakeResource(root_url="abfs://lake", connection_string=connection_string, timeout_seconds=2)
    with pytest.raises(LakeError, match=r"Lake 'abfs://lake': could not reach the lake root") as error:
        lake.check()
    assert ACCOUNT_KEY not in str(error.value)


def test_missing_azure_secret_names_the_variable(monkeypatch):
    from dagster import EnvVar

    monkeypatch.delenv("AZURE_STORAGE_CONNECTION_STRING", raising=False)
    lake = LakeResource(root_url="abfs://lake", connection_string=EnvVar("AZURE_STORAGE_CONNECTION_STRING"))
    with pytest.raises(Exception, match="AZURE_STORAGE_CONNECTION_STRING"):
        lake.process_config_and_initialize()
