"""The dbt project as Dagster sees it: where it lives, its manifest (prepared at build time), the dbt resource.

Nothing here imports dbt or dagster-dbt: the resource is configuration until a run invokes dbt.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dagster import ConfigurableResource
from pydantic import Field

from data_platform.resources.lake import LakeResource

if TYPE_CHECKING:
    from dagster_dbt import DbtCliInvocation

DBT_PROJECT_DIR = Path(__file__).resolve().parents[3] / "dbt_project"
DEFAULT_TARGET_PATH = DBT_PROJECT_DIR / "target"


class DbtManifestMissing(RuntimeError):
    """The dbt manifest has not been prepared (it is built by `dbt parse`, never at import)."""


def dbt_executable() -> str:
    """The `dbt` installed next to this Python (the project's venv), so PATH need not include the venv."""
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


# What `dbt parse` reads: a change to any of these makes the manifest stale.
PROJECT_SOURCES = ("dbt_project.yml", "profiles.yml", "models", "macros", "snapshots", "tests")


def _changed_since(manifest: Path) -> bool:
    if not manifest.exists():
        return True
    written = manifest.stat().st_mtime
    for name in PROJECT_SOURCES:
        source = DBT_PROJECT_DIR / name
        files = source.rglob("*") if source.is_dir() else [source]
        if any(f.is_file() and f.stat().st_mtime > written for f in files):
            return True
    return False


def dbt_manifest_path(target_path: Path = DEFAULT_TARGET_PATH) -> Path:
    """The prepared manifest. Under `dagster dev` (and `dg`) it is parsed again when the project changed since,
    so model edits show on reload."""
    if os.environ.get("DAGSTER_IS_DEV_CLI") and _changed_since(target_path / "manifest.json"):
        subprocess.run(
            [dbt_executable(), "parse", "--quiet", "--profiles-dir", str(DBT_PROJECT_DIR)],
            cwd=DBT_PROJECT_DIR,
            env={**os.environ, "DBT_TARGET_PATH": str(target_path)},
            check=False,
        )
    path = target_path / "manifest.json"
    if not path.exists():
        raise DbtManifestMissing(
            f"The dbt manifest {path} does not exist. Prepare it with `./platform.sh setup` "
            "(which runs `dbt parse` in dbt_project/), then load the definitions again."
        )
    return path


def dbt_target_for(lake: LakeResource) -> str:
    """The profiles.yml target that reads this lake: plain DuckDB locally, adlfs with the right auth on Azure."""
    return "local" if lake.is_local else f"azure_{lake.auth}"


class DbtResource(ConfigurableResource):
    """Runs the dbt CLI of this project through dagster-dbt (imported only when dbt runs)."""

    project_dir: str = Field(description="The dbt project folder (dbt_project/).")
    target: str = Field(description="The profiles.yml target: `local`, or `azure_<auth mode>` for ADLS.")
    dbt_executable: str = Field(default="dbt", description="The dbt command (the project venv's).")

    def cli(self, args: Sequence[str], **kwargs: Any) -> DbtCliInvocation:
        """``DbtCliResource.cli``: a dbt command whose events stream as Dagster events."""
        from dagster_dbt import DbtCliResource

        dbt = DbtCliResource(
            project_dir=self.project_dir,
            profiles_dir=self.project_dir,
            target=self.target,
            dbt_executable=self.dbt_executable,
        )
        return dbt.cli(list(args), **kwargs)


def build_dbt_resource(lake: LakeResource) -> DbtResource:
    return DbtResource(
        project_dir=str(DBT_PROJECT_DIR), target=dbt_target_for(lake), dbt_executable=dbt_executable()
    )
