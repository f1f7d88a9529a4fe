"""Dependencies point one way: data_platform never imports a domain; domain code never imports the sandbox."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.support.processes import REPO_ROOT

DOMAINS = {"square_sales"}


def imported_modules(path: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
    return modules


def python_files(folder: str) -> list[Path]:
    return sorted((REPO_ROOT / folder).rglob("*.py"))


def test_data_platform_imports_no_domain():
    offenders = {
        str(path.relative_to(REPO_ROOT)): sorted(
            m for m in imported_modules(path) if m.split(".")[0] in DOMAINS
        )
        for path in python_files("data_platform")
    }
    assert not {k: v for k, v in offenders.items() if v}


def test_domain_code_never_imports_the_sandbox():
    offenders = {
        str(path.relative_to(REPO_ROOT)): sorted(
            m for m in imported_modules(path) if m.split(".")[0] == "square_sandbox"
        )
        for path in python_files("square_sales")
    }
    assert not {k: v for k, v in offenders.items() if v}
    assert python_files("square_sales"), "the scan found no domain code at all"
