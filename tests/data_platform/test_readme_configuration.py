"""The README's configuration table lists exactly the environment variables the code reads."""

from __future__ import annotations

import re

from data_platform.lake_location import AZURE_SECRETS
from tests.support.processes import REPO_ROOT

# First string argument of the calls through which the code reads an environment variable.
READ_CALL = re.compile(
    r"""(?:environ\.get|os\.getenv|EnvVar|choice|positive_int|positive_float|setting|env_var|optional_setting"""
    r"""|timezone_setting|date_setting|cron_setting)"""
    r"""\(\s*(?:environ\s*,\s*)?["']([A-Z][A-Z0-9_]{2,})["']"""
)
# Variables that belong to the tools, not to the platform's configuration.
TOOL_VARIABLES = {
    "DAGSTER_HOME",
    "DAGSTER_IS_DEV_CLI",
    "PATH",
    "HOME",
    "DBT_SEND_ANONYMOUS_USAGE_STATS",
    "DO_NOT_TRACK",
    "CI",
}


def variables_read_by_code() -> set[str]:
    found: set[str] = set()
    for folder in ("data_platform", "square_sales", "dbt_project"):
        for path in (REPO_ROOT / folder).rglob("*"):
            if path.suffix not in {".py", ".yml", ".yaml", ".sql"} or "sandbox" in path.parts:
                continue
            if any(part in {"target", "dbt_packages", "logs"} for part in path.parts):
                continue
            found.update(READ_CALL.findall(path.read_text(errors="ignore")))
    # Secrets chosen by a setting (e.g. the Azure auth mode) are read through EnvVar(name-from-a-table).
    found.update(secret.variable for secret in AZURE_SECRETS.values())
    return found - TOOL_VARIABLES


def variables_in_readme_table() -> set[str]:
    readme = (REPO_ROOT / "README.md").read_text()
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)`", section, flags=re.M))


def test_every_variable_the_code_reads_is_documented():
    missing = variables_read_by_code() - variables_in_readme_table()
    assert not missing, f"add these to the README configuration table: {sorted(missing)}"


def test_every_documented_variable_is_read_by_the_code():
    stale = variables_in_readme_table() - variables_read_by_code()
    assert not stale, f"the README documents variables no code reads: {sorted(stale)}"
