"""The dbt asset specs read from the manifest (without importing dbt) equal what dagster-dbt itself builds."""

from __future__ import annotations

import pytest
from dagster_dbt import DagsterDbtTranslator, DbtProject, build_dbt_asset_specs

from square_sales.transform.assets import DAILY_PARTITIONED_TAG
from square_sales.transform.manifest import DbtManifest
from square_sales.transform.project import DBT_PROJECT_DIR, dbt_manifest_path

MANIFEST = DbtManifest.load(dbt_manifest_path())
# dagster-dbt's bookkeeping (the manifest and translator objects themselves), not properties of the data.
BOOKKEEPING = {
    "dagster_dbt/manifest",
    "dagster_dbt/dagster_dbt_translator",
    "dagster_dbt/project",
    "dagster_dbt/project_id",
}


def dagster_dbt_specs(select: str = "fqn:*", exclude: str = ""):
    project = DbtProject(project_dir=DBT_PROJECT_DIR)
    return {
        spec.key: spec
        for spec in build_dbt_asset_specs(
            manifest=MANIFEST.raw,
            dagster_dbt_translator=DagsterDbtTranslator(),
            select=select,
            exclude=exclude or None,
            project=project,
        )
    }


def essentials(spec) -> dict:
    return {
        "deps": sorted(dep.asset_key.to_user_string() for dep in spec.deps),
        "description": spec.description,
        "group": spec.group_name,
        "owners": list(spec.owners),
        "tags": dict(spec.tags),
        "kinds": set(spec.kinds),
        "code_version": spec.code_version,
        "skippable": spec.skippable,
        "metadata": {k: v for k, v in spec.metadata.items() if k not in BOOKKEEPING},
    }


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (MANIFEST.asset_ids(with_tag=DAILY_PARTITIONED_TAG), {"select": f"tag:{DAILY_PARTITIONED_TAG}"}),
        (MANIFEST.asset_ids(without_tag=DAILY_PARTITIONED_TAG), {"exclude": f"tag:{DAILY_PARTITIONED_TAG}"}),
    ],
)
def test_asset_specs_equal_dagster_dbt(ours, theirs):
    expected = dagster_dbt_specs(**theirs)
    built = {spec.key: spec for spec in (MANIFEST.asset_spec(unique_id, None) for unique_id in ours)}
    assert set(built) == set(expected)
    for key, spec in built.items():
        assert essentials(spec) == essentials(expected[key]), key.to_user_string()


def test_check_specs_equal_dagster_dbt():
    from dagster_dbt import dbt_assets

    @dbt_assets(manifest=MANIFEST.raw, project=DbtProject(project_dir=DBT_PROJECT_DIR))
    def everything(): ...

    def described(check) -> tuple:
        return (
            check.key,
            check.blocking,
            check.description,
            sorted(dep.asset_key.to_user_string() for dep in check.additional_deps),
            dict(check.metadata),
        )

    expected = sorted((described(c) for c in everything.check_specs), key=repr)
    ours = sorted(
        (described(c) for unique_id in MANIFEST.asset_ids() for c in MANIFEST.check_specs(unique_id)),
        key=repr,
    )
    assert ours == expected
    assert len(ours) > 50
