"""Both code locations load from the workspace and define what they should, with no I/O at import."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml

from tests.support.processes import REPO_ROOT

LOCATIONS = ["data_platform", "square_sales"]


def test_workspace_lists_each_location_once():
    workspace = yaml.safe_load((REPO_ROOT / "dagster_home" / "workspace.yaml").read_text())
    names = [entry["python_module"]["location_name"] for entry in workspace["load_from"]]
    assert names == LOCATIONS


@pytest.mark.parametrize("location", LOCATIONS)
def test_location_loads_without_network_or_writes(location, tmp_path):
    # A sitecustomize that forbids sockets and writes proves that loading a location does no I/O beyond reads.
    guard = tmp_path / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(
        "import socket, builtins\n"
        "def _no_network(*a, **k):\n    raise RuntimeError('network access while loading definitions')\n"
        "socket.socket.connect = _no_network\n"
        "_open = builtins.open\n"
        "def _read_only_open(file, mode='r', *a, **k):\n"
        "    if any(c in mode for c in 'wax+') and not str(file).startswith(('/dev/', '/tmp', '/proc')):\n"
        "        raise RuntimeError(f'write to {file} while loading definitions')\n"
        "    return _open(file, mode, *a, **k)\n"
        "builtins.open = _read_only_open\n"
    )
    code = (
        f"import importlib; defs = importlib.import_module('{location}.definitions').defs()\n"
        "repo = defs.get_repository_def()\n"
        "print(len(repo.asset_graph.get_all_asset_keys()))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={"PYTHONPATH": f"{guard}:{REPO_ROOT}", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
