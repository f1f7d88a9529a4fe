"""The dbt project as Dagster sees it: where it lives, its manifest (prepared at build time), the dbt resource."""

from __future__ import annotations

import sys
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from data_platform.resources.lake import LakeResource

DBT_PROJECT_DIR = Path(__file__).resolve().parents[3] / "dbt_project"

square_dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


class DbtManifestMissing(RuntimeError):
    """The dbt manifest has not been prepared (it is built by `dbt parse`, never at import)."""


def dbt_manifest_path() -> Path:
    """The prepared manifest; under `dagster dev` it is (re)built first so model edits show up on reload."""
    square_dbt_project.prepare_if_dev()
    path = Path(square_dbt_project.manifest_path)
    if not path.exists():
        raise DbtManifestMissing(
            f"The dbt manifest {path} does not exist. Prepare it with `./platform.sh setup` "
            "(which runs `dbt parse` in dbt_project/), then load the definitions again."
        )
    return path


def dbt_executable() -> str:
    """The `dbt` installed next to this Python (the project's venv), so PATH need not include the venv."""
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def dbt_target_for(lake: LakeResource) -> str:
    """The profiles.yml target that reads this lake: plain DuckDB locally, adlfs with the right auth on Azure."""
    return "local" if lake.is_local else f"azure_{lake.auth}"


def build_dbt_resource(lake: LakeResource) -> DbtCliResource:
    return DbtCliResource(
        project_dir=square_dbt_project,
        dbt_executable=dbt_executable(),
        target=dbt_target_for(lake),
    )
