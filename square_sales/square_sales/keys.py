"""Asset keys, groups and owner of the Square sales domain: one home for the names every module refers to."""

from __future__ import annotations

from dagster import AssetKey

OWNER = "team:data-platform"
RAW_GROUP = "square_raw"
RAW_KINDS = {"square", "parquet"}

DAILY_RAW_ENTITIES = ("orders", "payments", "refunds")
SNAPSHOT_RAW_ENTITIES = ("locations", "catalog", "customers")


def raw_asset_key(entity_name: str) -> AssetKey:
    """``square/raw/<entity>``: the raw asset landing one Square object type in the lake."""
    return AssetKey(["square", "raw", entity_name])


DAILY_RAW_KEYS = [raw_asset_key(name) for name in DAILY_RAW_ENTITIES]
SNAPSHOT_RAW_KEYS = [raw_asset_key(name) for name in SNAPSHOT_RAW_ENTITIES]
