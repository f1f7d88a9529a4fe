"""`./platform.sh demo` publishes the gold tables and says where they are, and the README's Python example, copied as
it is, reads them from the demo's lake."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from datetime import timedelta

import pytest
from deltalake import DeltaTable

from tests.gold.support import GOLD_TABLES
from tests.support.processes import REPO_ROOT, free_port

pytestmark = pytest.mark.slow


def readme_python_example() -> str:
    guide = (REPO_ROOT / "README.md").read_text().split("## Analysts' guide", 1)[1].split("\n## ", 1)[0]
    python = guide.split("### Python", 1)[1]
    return re.search(r"```python\n(.*?)```", python, flags=re.S).group(1)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo run once, small, with its lake where the README expects it: `.data/lake` under the folder."""
    from demo.__main__ import reporting_today

    root = tmp_path_factory.mktemp("demo")
    (root / "dagster_home").mkdir()
    shutil.copy(REPO_ROOT / "dagster_home" / "dagster.yaml", root / "dagster_home" / "dagster.yaml")
    env = {
        **os.environ,
        "SQUARE_PARTITIONS_START_DATE": (reporting_today() - timedelta(days=2)).isoformat(),
        "DAGSTER_HOME": str(root / "dagster_home"),
        "LAKE_ROOT_URL": str(root / ".data" / "lake"),
        "DUCKDB_PATH": str(root / ".data" / "warehouse.duckdb"),
    }
    result = subprocess.run(
        [sys.executable, "-m", "demo", "--no-serve", "--days", "3", "--locations", "2", "--orders-per-day", "20",
         "--sandbox-port", str(free_port())],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return root, result.stdout


def test_the_demo_publishes_every_gold_table_and_says_where(demo):
    root, output = demo
    assert "gold tables (Delta Lake) for analysts" in output
    for table in GOLD_TABLES:
        folder = root / ".data" / "lake" / "gold" / table.name
        assert re.search(rf"{re.escape(str(folder))}  \(version \d+, [\d,]+ rows\)", output), table.name
    assert "net sales of the last three business days (gold/daily_sales_by_location)" in output


def test_the_readme_python_example_reads_the_demos_lake(demo):
    root, _ = demo
    result = subprocess.run(
        [sys.executable, "-c", readme_python_example()],
        cwd=root, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    sales = DeltaTable(str(root / ".data" / "lake" / "gold" / "daily_sales_by_location"))
    assert f"daily_sales_by_location version {sales.version()}" in result.stdout
    stores = DeltaTable(str(root / ".data" / "lake" / "gold" / "dim_locations")).to_pyarrow_table()
    for name in stores.column("location_name").to_pylist():
        assert name in result.stdout
