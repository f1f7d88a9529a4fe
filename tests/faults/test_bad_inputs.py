"""The bad-input catalogue (tests/faults/catalogue.py), tried case by case through the path a user's run takes:
each bad input gives its one-line message, or is kept and flagged by a check; none is lost silently.

The README's troubleshooting section is generated from the same catalogue and must match it."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from tests.faults import catalogue
from tests.faults.scenarios import TOKEN, Harness
from tests.support.definitions import LOAD_LOCATION_CODE
from tests.support.processes import REPO_ROOT


@pytest.mark.parametrize("case", catalogue.CASES, ids=[case.id for case in catalogue.CASES])
def test_bad_input(case: catalogue.Case, request):
    outcome = case.run(Harness(request))
    assert outcome.kind == case.kind, f"expected {case.kind}, got {outcome.kind}: {outcome.message}"
    assert re.search(case.expect, outcome.message), outcome.message
    if outcome.kind == "error":
        assert "\n" not in outcome.message.strip(), "one line"
        assert TOKEN not in outcome.message
        if "fault_sandbox" in request.fixturenames:
            assert request.getfixturevalue("fault_sandbox").token not in outcome.message


def test_every_family_is_tried_and_every_case_has_a_family():
    assert {case.family for case in catalogue.CASES} == set(catalogue.FAMILIES)
    assert len({case.id for case in catalogue.CASES}) == len(catalogue.CASES)
    counts = catalogue.tally()
    assert (
        counts["tried"] >= 56 and counts["tried"] == counts["error"] + counts["flagged"] + counts["accepted"]
    )


def test_readme_troubleshooting_is_generated_from_the_catalogue():
    readme = (REPO_ROOT / "README.md").read_text()
    assert catalogue.readme_block(readme) == catalogue.readme_section(), (
        "regenerate it: .venv/bin/python -m tests.faults.catalogue --write"
    )


@pytest.mark.parametrize(
    ("location", "variable", "value", "expected"),
    [
        (
            "square_sales",
            "QUALITY_VOLUME_MAX_RATIO",
            "inf",
            "QUALITY_VOLUME_MAX_RATIO='inf' is not a finite number",
        ),
        (
            "square_sales",
            "SQUARE_PARTITIONS_START_DATE",
            "2999-01-01",
            "SQUARE_PARTITIONS_START_DATE=2999-01-01 is in",
        ),
        ("data_platform", "SMTP_PORT", "70000", "SMTP_PORT=70000 is too large"),
    ],
)
def test_a_code_location_says_a_bad_setting_in_its_first_line(location, variable, value, expected):
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("QUALITY_", "SQUARE_", "SMTP_"))}
    result = subprocess.run(
        [sys.executable, "-c", LOAD_LOCATION_CODE.format(location=location)],
        env={**environ, "PYTHONPATH": str(REPO_ROOT), variable: value},
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO_ROOT,
    )
    assert result.returncode != 0
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{location}: bad setting: {expected}"), result.stderr[:2000]
