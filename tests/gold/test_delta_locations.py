"""Where a gold table lives and how delta-rs opens it, for each way the lake is configured: the lake's own root and
auth mode, secrets in the storage options only (never in the table's URL, its repr or an error)."""

from __future__ import annotations

import pytest

from data_platform.environment import ConfigError
from data_platform.resources.delta_tables import delta_location
from data_platform.resources.lake import LakeResource

KEY = "c2VjcmV0LWtleQ=="
ADLS = "abfss://lake@retailplatformlake.dfs.core.windows.net/platform"
TABLE_URL = "abfss://lake@retailplatformlake.dfs.core.windows.net/platform/gold/fct_orders"


def location_for(**lake):
    return delta_location(LakeResource(**lake), "gold/fct_orders", name="gold/fct_orders")


def test_a_local_lake_is_a_folder(tmp_path):
    location = location_for(root_url=str(tmp_path / "lake"))
    assert location.uri == location.url == str(tmp_path / "lake" / "gold" / "fct_orders")
    assert location.storage_options == {}


@pytest.mark.parametrize(
    ("lake", "expected"),
    [
        (
            {
                "auth": "connection_string",
                "connection_string": f"AccountName=retailplatformlake;AccountKey={KEY};",
            },
            {"account_name": "retailplatformlake", "account_key": KEY},
        ),
        (
            {"auth": "account_key", "account_key": KEY},
            {"account_name": "retailplatformlake", "account_key": KEY},
        ),
        ({"auth": "sas", "sas_token": f"?sv=2024&sig={KEY}"}, {"sas_token": f"sv=2024&sig={KEY}"}),
        # Workload identity / managed identity: object_store reads the standard AZURE_* variables itself.
        ({"auth": "default_credential"}, {"account_name": "retailplatformlake"}),
        ({"auth": "anonymous"}, {"azure_skip_signature": "true"}),
    ],
    ids=["connection_string", "account_key", "sas", "default_credential", "anonymous"],
)
def test_azure_auth_modes_become_delta_rs_options(lake, expected):
    location = location_for(root_url=ADLS, **lake)
    assert location.uri == "az://lake/platform/gold/fct_orders"
    assert location.url == TABLE_URL
    assert expected.items() <= location.storage_options.items()
    assert location.storage_options["max_retries"] == "3", "an unreachable lake fails in bounded time"
    assert KEY not in repr(location) and KEY not in location.url


def test_an_account_must_be_known(tmp_path):
    with pytest.raises(ConfigError, match="AZURE_STORAGE_ACCOUNT_NAME is not set"):
        location_for(root_url="abfs://lake/platform", auth="default_credential")
