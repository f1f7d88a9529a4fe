"""The dbt project as Dagster asset specs, read straight from dbt's ``manifest.json``.

Why not dagster-dbt's ``@dbt_assets`` here: importing dagster-dbt imports dbt-core (about a second), and every
code server and every run worker of this location builds these definitions, raw ingestion runs included, although
only a dbt run needs dbt. So the specs are built from the manifest (plain JSON) following dagster-dbt's default
translator: the same asset keys, dependencies (through ephemeral models), groups and owners (``meta.dagster``),
tags, kinds, column schema, code versions, and dbt tests as asset checks, blocking when their severity is
``error``. ``tests/transform/test_dbt_specs.py`` compares them with dagster-dbt's own ``build_dbt_asset_specs``,
so they cannot drift apart. dagster-dbt itself runs dbt when a run materializes them (``transform/dbt_run.py``).
"""

from __future__ import annotations

import hashlib
import textwrap
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import orjson
from dagster import (
    AssetCheckSpec,
    AssetDep,
    AssetKey,
    AssetSpec,
    AutomationCondition,
    FreshnessPolicy,
    TableColumn,
    TableSchema,
)

ASSET_RESOURCE_TYPES = ("model", "seed", "snapshot")
UNIQUE_ID_METADATA_KEY = "dagster_dbt/unique_id"
MATERIALIZATION_METADATA_KEY = "dagster-dbt/materialization_type"


@dataclass(frozen=True)
class DbtManifest:
    """A parsed ``manifest.json`` and the Dagster view of its nodes."""

    raw: Mapping[str, Any] = field(repr=False)

    @classmethod
    def load(cls, path: Path) -> DbtManifest:
        return cls(orjson.loads(path.read_bytes()))

    # -- nodes ------------------------------------------------------------------------------------------------

    def node(self, unique_id: str) -> Mapping[str, Any]:
        if unique_id.startswith("source."):
            return self.raw["sources"][unique_id]
        return self.raw["nodes"][unique_id]

    @cached_property
    def adapter_type(self) -> str:
        return self.raw.get("metadata", {}).get("adapter_type") or "dbt"

    @cached_property
    def _children(self) -> Mapping[str, list[str]]:
        return self.raw.get("child_map", {})

    def is_asset(self, unique_id: str) -> bool:
        node = self.node(unique_id)
        if node["resource_type"] not in ASSET_RESOURCE_TYPES:
            return False
        return node.get("config", {}).get("materialized") != "ephemeral"

    def asset_ids(self, *, with_tag: str | None = None, without_tag: str | None = None) -> list[str]:
        """Enabled models, seeds and snapshots of the project (ephemeral models are not assets), by dbt tag."""
        return sorted(
            unique_id
            for unique_id, node in self.raw["nodes"].items()
            if self.is_asset(unique_id)
            and (with_tag is None or with_tag in node.get("tags", []))
            and (without_tag is None or without_tag not in node.get("tags", []))
        )

    # -- keys and lineage -------------------------------------------------------------------------------------

    def asset_key(self, unique_id: str) -> AssetKey:
        """``meta.dagster.asset_key`` when set; else [source, table] for sources, [schema, name] for models."""
        node = self.node(unique_id)
        meta = node.get("config", {}).get("meta", {}) or node.get("meta", {})
        configured = meta.get("dagster", {}).get("asset_key")
        if configured:
            return AssetKey(configured)
        if node["resource_type"] == "source":
            return AssetKey([node["source_name"], node["name"]])
        if node.get("version"):
            return AssetKey([node["alias"]])
        schema = node["config"].get("schema")
        return AssetKey([schema, node["name"]] if schema is not None else [node["name"]])

    def upstream_ids(self, unique_id: str) -> set[str]:
        """Parents that are assets or sources; an ephemeral parent is replaced by its own parents."""
        upstream: set[str] = set()
        queue = list(self.node(unique_id).get("depends_on", {}).get("nodes", []))
        seen: set[str] = set()
        while queue:
            parent = queue.pop()
            if parent in seen:
                continue
            seen.add(parent)
            node = self.node(parent)
            if node["resource_type"] == "source" or self.is_asset(parent):
                upstream.add(parent)
            elif node["resource_type"] == "model":  # ephemeral: look through it
                queue.extend(node.get("depends_on", {}).get("nodes", []))
        return upstream

    # -- specs ------------------------------------------------------------------------------------------------

    def asset_spec(
        self,
        unique_id: str,
        automation_condition: AutomationCondition | None,
        freshness_policy: FreshnessPolicy | None = None,
    ) -> AssetSpec:
        node = self.node(unique_id)
        dagster_meta = node.get("meta", {}).get("dagster", {})
        return AssetSpec(
            key=self.asset_key(unique_id),
            deps=[AssetDep(self.asset_key(parent)) for parent in sorted(self.upstream_ids(unique_id))],
            description=_description(node),
            metadata={**_metadata(node, self.adapter_type), UNIQUE_ID_METADATA_KEY: unique_id},
            skippable=True,
            group_name=dagster_meta.get("group") or node.get("config", {}).get("group"),
            code_version=_code_version(node),
            automation_condition=automation_condition,
            freshness_policy=freshness_policy,
            owners=dagster_meta.get("owners"),
            tags={tag: "" for tag in node.get("tags", [])},
            kinds={"dbt", self.adapter_type},
        )

    def check_specs(self, unique_id: str) -> Iterator[AssetCheckSpec]:
        """The dbt tests that check this node, as asset checks (blocking when the test's severity is error)."""
        key = self.asset_key(unique_id)
        for test_id in sorted(self._children.get(unique_id, [])):
            if not test_id.startswith("test.") or self.test_target(test_id) != unique_id:
                continue
            test = self.node(test_id)
            parents = {self.asset_key(p) for p in self.raw["parent_map"].get(test_id, [])} - {key}
            severity = test.get("config", {}).get("severity") or "error"
            yield AssetCheckSpec(
                name=test["name"],
                asset=key,
                description=test.get("meta", {}).get("description"),
                additional_deps=parents,
                metadata={UNIQUE_ID_METADATA_KEY: test_id},
                blocking=severity.lower() == "error",
            )

    def test_target(self, test_id: str) -> str | None:
        """The node a test checks: its attached node (generic tests), its only parent, or the node named in
        ``meta.dagster.ref`` (singular tests reading several models)."""
        test = self.node(test_id)
        parents = set(test["depends_on"]["nodes"])
        target = test.get("attached_node")
        if len(parents) == 1:
            [target] = parents
        meta = test.get("config", {}).get("meta", {}) or test.get("meta", {})
        ref = meta.get("dagster", {}).get("ref", {})
        if ref:
            wanted = (
                ref["name"],
                ref.get("package") or self.raw["metadata"]["project_name"],
                ref.get("version"),
            )
            target = next(
                (
                    unique_id
                    for unique_id, node in self.raw["nodes"].items()
                    if (node["name"], node["package_name"], node.get("version")) == wanted
                ),
                None,
            )
        return target


def _description(node: Mapping[str, Any]) -> str:
    code = textwrap.indent(node.get("raw_sql") or node.get("raw_code", ""), "    ")
    summary = node.get("description") or f"dbt {node['resource_type']} {node['name']}"
    return f"{summary}\n\n#### Raw SQL:\n```sql\n{code}\n```"


def _code_version(node: Mapping[str, Any]) -> str | None:
    code = node.get("raw_sql") or node.get("raw_code")
    if code:
        return hashlib.sha1(code.encode("utf-8")).hexdigest()
    return node.get("checksum", {}).get("checksum")


def _metadata(node: Mapping[str, Any], adapter_type: str) -> dict[str, Any]:
    columns = node.get("columns", {})
    column_schema = (
        TableSchema(
            columns=[
                TableColumn(
                    name=name,
                    type=column.get("data_type") or "?",
                    description=column.get("description"),
                    tags={tag: "" for tag in column.get("tags", [])},
                )
                for name, column in columns.items()
            ]
        )
        if columns
        else None
    )
    relation = ".".join(
        part for part in (node.get("database"), node.get("schema"), node.get("alias")) if part
    )
    materialized = node.get("config", {}).get("materialized")
    # Dagster's documented table metadata keys (what dagster-dbt writes through TableMetadataSet).
    return {
        **({MATERIALIZATION_METADATA_KEY: materialized} if materialized else {}),
        **({"dagster/column_schema": column_schema} if column_schema else {}),
        **({"dagster/table_name": relation} if relation else {}),
        "dagster/storage_kind": adapter_type,
    }
