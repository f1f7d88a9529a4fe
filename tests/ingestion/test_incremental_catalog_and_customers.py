"""Catalog and customers pulled incrementally: after the sandbox's clock moves two months (items revised, created
and deleted; profiles updated, created and deleted), the staging built from a full listing and the changes pulled
since holds what a full listing taken now holds, deleted catalog objects flagged; the changes cost a fraction of the
requests; a full pull on demand records the customers Square deleted (it keeps no trace of them otherwise)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess

import duckdb
import pytest
from dagster import DagsterInstance, materialize

from data_platform.resources.lake import LakeResource
from square_sales.ingestion.assets import build_snapshot_raw_assets
from square_sales.ingestion.resource import SquareClientResource
from square_sales.transform.project import DBT_PROJECT_DIR, dbt_executable
from tests.ingestion.support import fast_api
from tests.support.sandbox import sandbox

START = dt.date(2026, 6, 1)
FIRST_PULL = dt.datetime(2026, 7, 1, 12, tzinfo=dt.UTC)
SECOND_PULL = FIRST_PULL + dt.timedelta(days=60)
STAGING = ["stg_square__catalog_items", "stg_square__customers"]


@pytest.fixture(scope="module")
def chain():
    with sandbox(
        locations=2,
        orders_per_day=5,
        seed=23,
        start_date=START,
        now=FIRST_PULL,
        catalog_objects=600,
        customers=900,
    ) as handle:
        yield handle


def _pull(chain, lake: LakeResource, instance, full_pull: bool = False) -> dict[str, dict]:
    """One run of the catalog and customers assets; each one's materialization metadata."""
    assets = [a for a in build_snapshot_raw_assets() if a.key.path[-1] in ("catalog", "customers")]
    config = {"full_pull": full_pull}
    result = materialize(
        assets,
        resources={
            "lake": lake,
            "square": SquareClientResource(base_url=chain.base_url, access_token=chain.token),
        },
        instance=instance,
        run_config={"ops": {a.op.name: {"config": config} for a in assets}},
    )
    return {
        event.asset_key.path[-1]: {k: v.value for k, v in event.materialization.metadata.items()}
        for event in result.get_asset_materialization_events()
    }


def _staged(lake: LakeResource, folder) -> dict[str, dict[str, tuple[int, bool]]]:
    """The staging views built by dbt over the lake: per model, id -> (version, is_deleted)."""
    database = folder / "warehouse.duckdb"
    env = {**os.environ, "DUCKDB_PATH": str(database), "LAKE_ROOT_URL": lake.path()}
    subprocess.run(
        [dbt_executable(), "run", "--select", *STAGING, "--target", "local"],
        cwd=DBT_PROJECT_DIR,
        env=env,
        check=True,
        capture_output=True,
    )
    with duckdb.connect(str(database), read_only=True) as con:
        return {
            "catalog": {
                row[0]: (row[1], row[2])
                for row in con.execute(
                    "select catalog_object_id, catalog_version, is_deleted from staging.stg_square__catalog_items"
                ).fetchall()
            },
            "customers": {
                row[0]: (row[1], row[2])
                for row in con.execute(
                    "select customer_id, customer_version, is_deleted from staging.stg_square__customers"
                ).fetchall()
            },
        }


def _listed_now(chain) -> dict[str, dict[str, int]]:
    """A full listing as Square answers it at the clock: id -> version."""
    with fast_api(chain) as api:
        catalog = api.list_objects("v2/catalog/list", {"types": "ITEM,ITEM_VARIATION"}, "objects")
        customers = api.list_objects("v2/customers", {"limit": 100}, "customers")
        return {
            "catalog": {o["id"]: o["version"] for page in catalog for o in page},
            "customers": {c["id"]: c["version"] for page in customers for c in page},
        }


def _live(staged: dict[str, tuple[int, bool]]) -> dict[str, int]:
    return {object_id: version for object_id, (version, deleted) in staged.items() if not deleted}


def test_changes_since_a_full_listing_stage_what_a_full_listing_holds(chain, tmp_path):
    lake = LakeResource(root_url=str(tmp_path / "lake"))
    with DagsterInstance.ephemeral() as instance:
        first = _pull(chain, lake, instance)
        chain.set_clock(SECOND_PULL)
        second = _pull(chain, lake, instance)
        staged = _staged(lake, tmp_path)
        now = _listed_now(chain)

        assert all(m["pull"] == "full listing" for m in first.values()), first
        assert all(m["pull"].startswith("changes since") for m in second.values()), second
        for name in ("catalog", "customers"):
            assert 0 < second[name]["rows"] < first[name]["rows"] / 2, (name, first[name], second[name])
            assert second[name]["pages"] < first[name]["pages"]

        # The catalog: every listed object at its current version, deletions flagged, none lost.
        assert _live(staged["catalog"]) == now["catalog"]
        deleted = {i for i, (_, is_deleted) in staged["catalog"].items() if is_deleted}
        assert deleted and not deleted & set(now["catalog"]), "the two months should delete some items"
        # Customers: every listed profile at its current version; a deleted one only shows at a full listing.
        live = _live(staged["customers"])
        assert {i: live.get(i) for i in now["customers"]} == now["customers"]
        gone = set(live) - set(now["customers"])

        _pull(chain, lake, instance, full_pull=True)
        staged = _staged(lake, tmp_path)
    assert _live(staged["customers"]) == now["customers"]
    assert gone and {i for i, (_, is_deleted) in staged["customers"].items() if is_deleted} == gone
    assert _live(staged["catalog"]) == now["catalog"]
