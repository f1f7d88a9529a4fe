"""Which marts mirror a Square Dashboard report, and how each compares with Square's Reporting API: read from the
dbt manifest (`meta.square_reporting_api` of the model, written next to its definitions in the dbt YAML), so a
report mart added later gets its parity check without any change here.

A report mart has one row per location (`location_id`), local business day (`business_date`), local hour
(`hour_of_day`, when its granularity is `hour`) and the values of its `dimensions`; its `measures` are columns
named as the view's measures. Both name the view's members without the view (`net_sales` is `Sales.net_sales`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dagster import AssetKey

from square_sales.transform.manifest import DbtManifest

META_KEY = "square_reporting_api"
# The asset check each report mart gets (square_sales/reports/checks.py).
PARITY_CHECK = "matches_square_reporting_api"
GRANULARITIES = ("day", "hour")
# The columns every report mart is keyed by, and the members of the view they correspond to.
LOCATION_COLUMN = "location_id"
DAY_COLUMN = "business_date"
HOUR_COLUMN = "hour_of_day"
LOCATION_DIMENSION = "location_id"
# Square's local business time of an order: its creation on the location's clock (day and hour buckets).
TIME_DIMENSION = "local_reporting_timestamp"


class ReportSpecError(ValueError):
    """A model's `meta.square_reporting_api` is malformed; the message names the model and the field."""


@dataclass(frozen=True)
class ReportSpec:
    model: str  # e.g. daily_item_sales_by_location
    relation: str  # e.g. marts.daily_item_sales_by_location
    key: AssetKey  # the mart's asset key
    view: str  # the Reporting API view it mirrors, e.g. ItemSales
    dimensions: tuple[str, ...]  # key columns besides location and day (and hour)
    measures: tuple[str, ...]  # compared columns
    granularity: str = "day"

    @property
    def by_hour(self) -> bool:
        return self.granularity == "hour"

    def member(self, name: str) -> str:
        """The view's member of a short name: `net_sales` -> `Sales.net_sales`."""
        return f"{self.view}.{name}"


def report_specs(manifest: DbtManifest) -> list[ReportSpec]:
    """Every model declaring `meta.square_reporting_api`, sorted by name."""
    specs = []
    for unique_id in manifest.asset_ids():
        node = manifest.node(unique_id)
        meta = node.get("config", {}).get("meta", {}) or node.get("meta", {})
        if META_KEY in meta:
            specs.append(_spec(node, manifest.asset_key(unique_id), meta[META_KEY]))
    return sorted(specs, key=lambda spec: spec.model)


def _spec(node: Mapping[str, Any], key: AssetKey, declared: object) -> ReportSpec:
    model = node["name"]

    def wrong(field: str, expected: str) -> ReportSpecError:
        where = f"meta.{META_KEY}" + (f".{field}" if field else "")
        return ReportSpecError(f"dbt model {model}: {where} must be {expected}.")

    if not isinstance(declared, Mapping):
        raise wrong("", "a mapping with view, dimensions, measures (and granularity)")
    view = declared.get("view")
    if not isinstance(view, str) or not view:
        raise wrong("view", "the name of a Reporting API view, e.g. Sales")
    names = {}
    for field in ("dimensions", "measures"):
        value = declared.get(field, [])
        if not isinstance(value, list) or not all(isinstance(name, str) and name for name in value):
            raise wrong(field, "a list of column names")
        names[field] = tuple(value)
    if not names["measures"]:
        raise wrong("measures", "a non-empty list of column names")
    granularity = declared.get("granularity", "day")
    if granularity not in GRANULARITIES:
        raise wrong("granularity", f"one of {', '.join(GRANULARITIES)}")
    return ReportSpec(
        model=model,
        relation=f"{node['schema']}.{node['alias']}",
        key=key,
        view=view,
        dimensions=names["dimensions"],
        measures=names["measures"],
        granularity=granularity,
    )
