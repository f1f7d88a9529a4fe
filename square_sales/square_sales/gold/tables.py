"""Which tables the gold layer publishes: every dbt model built in the `marts` schema, found in the manifest, so a
mart added later is published without any change here.

A mart tagged `daily_partitioned` (models/marts/daily/) becomes a Delta table partitioned by `business_date`,
replaced day by day; any other mart (models/marts/reference/) is replaced whole. A daily mart configured
`restates_later_days` (cumulative: stock on hand, gift card liability) is replaced from the run's first day on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from dagster import AssetKey, TableSchema

from square_sales.keys import GOLD_PREFIX, gold_asset_key
from square_sales.transform.assets import DAILY_PARTITIONED_TAG
from square_sales.transform.manifest import DbtManifest

MARTS_SCHEMA = "marts"
# The column a daily mart's rows are partitioned and replaced by.
BUSINESS_DATE = "business_date"
# The asset check comparing each published version with its mart (gold/check.py).
MATCHES_MART_CHECK = "matches_mart"


@dataclass(frozen=True)
class GoldTable:
    name: str  # the mart's model name, e.g. fct_orders
    relation: str  # the mart in the warehouse, e.g. marts.fct_orders
    mart_key: AssetKey
    daily: bool
    description: str
    column_schema: TableSchema | None
    # Each dbt run rebuilds every day from its window's first on (a cumulative mart): so is each publish.
    restates_later_days: bool = False

    @property
    def key(self) -> AssetKey:
        return gold_asset_key(self.name)

    @property
    def lake_path(self) -> str:
        """The table's folder under the lake root."""
        return f"{GOLD_PREFIX}/{self.name}"


def gold_tables(manifest: DbtManifest) -> list[GoldTable]:
    """One gold table per mart of the project (models whose schema is `marts`), sorted by name."""
    tables = []
    for unique_id in manifest.asset_ids():
        node = manifest.node(unique_id)
        if node["resource_type"] != "model" or node["config"].get("schema") != MARTS_SCHEMA:
            continue
        mart = manifest.asset_spec(unique_id, None)
        tables.append(
            GoldTable(
                name=node["name"],
                relation=f"{node['schema']}.{node['alias']}",
                mart_key=mart.key,
                daily=DAILY_PARTITIONED_TAG in node.get("tags", []),
                description=node.get("description") or f"The mart {node['name']}.",
                column_schema=mart.metadata.get("dagster/column_schema"),
                restates_later_days=bool(node["config"].get("restates_later_days")),
            )
        )
    return sorted(tables, key=lambda table: table.name)


@dataclass(frozen=True)
class BusinessDays:
    """The business days a run publishes of a daily table."""

    first: date
    last: date  # inclusive

    def predicate(self) -> str:
        """The replace-where of a Delta overwrite (delta-rs SQL), over the partition column."""
        return (
            f"{BUSINESS_DATE} >= '{self.first.isoformat()}' AND {BUSINESS_DATE} <= '{self.last.isoformat()}'"
        )

    def chunks(self, days: int) -> list[BusinessDays]:
        """Consecutive spans of at most ``days`` days covering these days, in order."""
        spans, first = [], self.first
        while first <= self.last:
            last = min(first + timedelta(days=days - 1), self.last)
            spans.append(BusinessDays(first, last))
            first = last + timedelta(days=1)
        return spans

    def __str__(self) -> str:
        return f"{self.first}..{self.last}"
