"""Asset keys, groups and owner of the Square sales domain: one home for the names every module refers to."""

from __future__ import annotations

from dagster import AssetKey

OWNER = "team:data-platform"
RAW_GROUP = "square_raw"
RAW_KINDS = {"square", "parquet"}
# The marts published as Delta tables on the lake (square_sales/gold/): what analysts and Power BI read.
GOLD_GROUP = "square_gold"
GOLD_PREFIX = "gold"

SALES_DAILY_RAW_ENTITIES = ("orders", "payments", "refunds")
DAILY_RAW_ENTITIES = (
    *SALES_DAILY_RAW_ENTITIES,
    "inventory_changes",
    "timecards",
    "cash_drawer_shifts",
    "cash_drawer_shift_events",
    "payouts",
    "payout_entries",
    "gift_card_activities",
    "loyalty_events",
)
SNAPSHOT_RAW_ENTITIES = (
    "locations",
    "catalog",
    "customers",
    "team_members",
    "inventory_counts",
    "disputes",
    "gift_cards",
    "loyalty_accounts",
    "invoices",
)


def raw_asset_key(entity_name: str) -> AssetKey:
    """``square/raw/<entity>``: the raw asset landing one Square object type in the lake."""
    return AssetKey(["square", "raw", entity_name])


DAILY_RAW_KEYS = [raw_asset_key(name) for name in DAILY_RAW_ENTITIES]
SNAPSHOT_RAW_KEYS = [raw_asset_key(name) for name in SNAPSHOT_RAW_ENTITIES]


def gold_asset_key(model_name: str) -> AssetKey:
    """``gold/<mart>``: the Delta table of one mart, at ``<lake root>/gold/<mart>/``."""
    return AssetKey([GOLD_PREFIX, model_name])
