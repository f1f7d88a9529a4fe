"""The Dagster UI as an analyst sees it, in a real browser (Debian's Chromium driven by Playwright).

A materialized instance is produced by the demo command itself (sandbox -> raw -> dbt), then the operators' and the
read-only webservers are started on it. Screenshots are kept under test-artifacts/browser/.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from tests.support.processes import REPO_ROOT, free_port, running

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = REPO_ROOT / "test-artifacts" / "browser"
# Flags for a root, offline, headless Chromium: without the background-networking ones it keeps dialing out.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]  # fmt: skip


@pytest.fixture(scope="module")
def materialized_instance(tmp_path_factory) -> dict[str, str]:
    if not Path(CHROMIUM).exists():
        pytest.skip(
            "Debian chromium is not installed and could not be installed (./platform.sh test installs it)"
        )
    root = tmp_path_factory.mktemp("ui")
    home = root / "dagster_home"
    home.mkdir()
    shutil.copy(REPO_ROOT / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    from demo.__main__ import reporting_today

    env = {
        **os.environ,
        # Three daily partitions in all, so the partition view can be checked exactly.
        "SQUARE_PARTITIONS_START_DATE": (reporting_today() - timedelta(days=2)).isoformat(),
        "DAGSTER_HOME": str(home),
        "LAKE_ROOT_URL": str(root / "lake"),
        "DUCKDB_PATH": str(root / "warehouse.duckdb"),
    }
    result = subprocess.run(
        [sys.executable, "-m", "demo", "--no-serve", "--days", "3", "--locations", "2", "--orders-per-day", "20",
         "--sandbox-port", str(free_port())],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "net sales of the last three business days" in result.stdout
    return env


@pytest.fixture(scope="module")
def webservers(materialized_instance):
    workspace = str(REPO_ROOT / "dagster_home" / "workspace.yaml")
    ports = {"operators": free_port(), "analysts": free_port()}
    base = ["dagster-webserver", "-w", workspace, "-h", "127.0.0.1"]
    venv_bin = str(Path(sys.executable).parent)
    env = {**materialized_instance, "PATH": f"{venv_bin}:{os.environ['PATH']}"}
    logs = ARTIFACTS / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    with (
        running([*base, "-p", str(ports["operators"])], ports["operators"], env=env, timeout=240,
                log_path=logs / "webserver.log"),
        running([*base, "-p", str(ports["analysts"]), "--read-only"], ports["analysts"], env=env, timeout=240,
                log_path=logs / "webserver-read-only.log"),
    ):  # fmt: skip
        urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
        # A new instance greets the first visitor with a newsletter dialog; mark it seen, as "Skip" would.
        httpx.post(f"{urls['operators']}/graphql", json={"query": "mutation { setNuxSeen }"}, timeout=30)
        yield urls


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


MATERIALIZE = re.compile(r"^Materialize")


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    # The dialog is also remembered per browser: a fresh context must not show it either.
    page.add_init_script("window.localStorage.setItem('communityNux', '1')")
    page.set_default_timeout(90_000)
    yield page
    context.close()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


def test_both_code_locations_are_loaded(page, webservers):
    page.goto(f"{webservers['operators']}/locations")
    page.get_by_text("2 code locations").wait_for()
    for location in ("data_platform", "square_sales"):
        page.get_by_text(f"{location}.definitions").first.wait_for()
    page.get_by_text("Loaded").nth(1).wait_for()
    shot(page, "code-locations")
    assert page.get_by_text("Failed", exact=True).count() == 0


def test_asset_catalog_lists_raw_and_mart_assets(page, webservers):
    names = ["square / raw / orders", "staging / stg_square__orders", "marts / daily_sales_by_location"]
    page.goto(f"{webservers['operators']}/assets?view=flat")
    # The catalog's search box is a CodeMirror editor taking Dagster's asset selection syntax.
    page.locator(".CodeMirror").first.click()
    page.locator(".CodeMirror-focused").wait_for()  # typed text must reach the editor, not global shortcuts
    page.keyboard.type(" or ".join(f'key:"{name.replace(" / ", "/")}"' for name in names))
    page.keyboard.press("Enter")
    for name in names:
        page.get_by_text(name, exact=True).first.wait_for()
    shot(page, "asset-catalog")


def test_lineage_from_raw_orders_to_daily_sales_renders(page, webservers):
    # Large enough that the graph is drawn with full asset nodes, not the zoomed-out minimal ones.
    page.set_viewport_size({"width": 2560, "height": 1440})
    # The whole path, raw orders to the mart, is too many assets to be drawn in full on one screen (the staging
    # and marts of payments, refunds and locations join it; off-screen nodes are not drawn): it is checked in
    # three views that overlap, raw orders -> stg_square__orders -> fct_orders -> daily_sales_by_location.
    views = {
        "square/raw/orders?view=lineage&lineageScope=downstream&lineageDepth=2": (
            "base_square__orders",
            "stg_square__orders",
        ),
        "marts/fct_orders?view=lineage&lineageScope=upstream&lineageDepth=1": (
            "stg_square__orders",
            "fct_orders",
        ),
        "marts/daily_sales_by_location?view=lineage&lineageScope=upstream&lineageDepth=1": (
            "fct_orders",
            "daily_sales_by_location",
        ),
    }
    for number, (view, names) in enumerate(views.items(), start=1):
        page.goto(f"{webservers['operators']}/assets/{view}")
        for name in names:
            page.locator(f'[data-tooltip="{name}"]').first.wait_for()
        shot(page, f"lineage-raw-orders-to-daily-sales-{number}")


def test_partitioned_asset_shows_partition_status(page, webservers):
    page.goto(f"{webservers['operators']}/assets/square/raw/orders?view=partitions")
    page.get_by_text("Materialized (3)").wait_for()
    assert page.get_by_text("Missing (0)").count() == 1
    shot(page, "raw-orders-partitions")


def test_read_only_ui_cannot_materialize(page, webservers):
    page.goto(f"{webservers['analysts']}/assets/square/raw/orders")
    page.get_by_text("orders").first.wait_for()
    page.wait_for_load_state("networkidle")
    buttons = page.locator("button").filter(has_text=MATERIALIZE)
    for i in range(buttons.count()):
        assert buttons.nth(i).is_disabled(), "a Materialize button is enabled in the read-only UI"
    shot(page, "read-only-asset-page")
    # The operators' UI, on the same page, does offer it: the check above is not vacuous.
    page.goto(f"{webservers['operators']}/assets/square/raw/orders")
    expect(page.locator("button").filter(has_text=MATERIALIZE).first).to_be_enabled()


def test_daily_sales_mart_shows_a_chart_of_net_sales_per_store(page, webservers):
    page.goto(f"{webservers['analysts']}/assets/marts/daily_sales_by_location")
    row = page.locator("tr", has_text="recent_net_sales")
    row.get_by_text("[Show Markdown]").click()
    dialog = page.get_by_role("dialog")
    chart = dialog.locator("img").first
    chart.wait_for()
    assert chart.evaluate("img => img.complete && img.naturalWidth > 100"), "the chart did not render"
    dialog.get_by_role("columnheader", name="business day").wait_for()
    shot(page, "daily-sales-net-sales-chart")


# Mutations the analysts' webserver must refuse: launching, re-executing, stopping and deleting runs, backfills,
# schedules, sensors, asset history and concurrency. Each goes to the real targets where Dagster resolves the
# target before it checks permissions, with placeholders (built from the schema) elsewhere.
REFUSED_MUTATIONS = [
    "launchRun", "launchRunReexecution", "launchPartitionBackfill", "cancelPartitionBackfill", "terminateRun",
    "deleteRun", "startSchedule", "stopRunningSchedule", "startSensor", "stopSensor", "setSensorCursor",
    "wipeAssets", "reportRunlessAssetEvents", "setAutoMaterializePaused", "setConcurrencyLimit",
]  # fmt: skip
TYPE_REF = "fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }"
REPOSITORY = '{repositoryLocationName: "square_sales", repositoryName: "__repository__"}'


def _graphql(url: str, query: str) -> dict:
    return httpx.post(f"{url}/graphql", json={"query": query}, timeout=60).json()


def _placeholder(type_ref: dict, types: dict[str, dict]) -> str:
    """A GraphQL literal of ``type_ref``: the required fields of input objects, placeholder scalars."""
    kind, name = type_ref["kind"], type_ref["name"]
    if kind == "NON_NULL":
        return _placeholder(type_ref["ofType"], types)
    if kind == "LIST":
        return f"[{_placeholder(type_ref['ofType'], types)}]"
    if kind == "ENUM":
        return types[name]["enumValues"][0]["name"]
    if kind == "INPUT_OBJECT":
        required = [f for f in types[name]["inputFields"] if f["type"]["kind"] == "NON_NULL"]
        return "{" + ", ".join(f"{f['name']}: {_placeholder(f['type'], types)}" for f in required) + "}"
    return {"Boolean": "true", "Int": "1", "Float": "1.0"}.get(name, '"placeholder"')


def _schema(url: str) -> tuple[dict[str, dict], dict[str, dict]]:
    fields = _graphql(
        url,
        "{ __schema { mutationType { fields { name args { name type { ...T } } type { ...T } } } } }"
        + TYPE_REF,
    )
    types = _graphql(
        url,
        "{ __schema { types { name kind enumValues { name } inputFields { name type { ...T } } } } }"
        + TYPE_REF,
    )
    return (
        {f["name"]: f for f in fields["data"]["__schema"]["mutationType"]["fields"]},
        {t["name"]: t for t in types["data"]["__schema"]["types"]},
    )


def _first(url: str, listing: str, result_type: str, field: str) -> str:
    """The id of the first instigator state of a listing of the square_sales repository."""
    query = f"{{ {listing}(repositorySelector: {REPOSITORY}) {{ ... on {result_type} {{ results {{ {field} {{ id }} }} }} }} }}"
    return _graphql(url, query)["data"][listing]["results"][0][field]["id"]


def _real_targets(webservers, partition: str) -> dict[str, str]:
    """Arguments naming things that exist, for the mutations that look their target up first. The run and the
    backfill are requested through the operators' UI; nothing executes them (no daemon here)."""
    analysts, operators = webservers["analysts"], webservers["operators"]
    launch = (
        'executionParams: {selector: {repositoryLocationName: "square_sales", repositoryName: "__repository__", '
        'jobName: "square_raw_freshness_checks"}, mode: "default"}'
    )
    queued = _graphql(
        operators,
        f"mutation {{ launchRun({launch}) {{ __typename ... on LaunchRunSuccess {{ run {{ runId }} }} "
        "... on PythonError { message } ... on RunConfigValidationInvalid { errors { message } } } }",
    )
    assert "run" in queued["data"]["launchRun"], queued
    backfill = (
        f'backfillParams: {{assetSelection: [{{path: ["square", "raw", "orders"]}}], partitionNames: ["{partition}"], '
        "fromFailure: false}"
    )
    requested = _graphql(
        operators,
        f"mutation {{ launchPartitionBackfill({backfill}) {{ ... on LaunchBackfillSuccess {{ backfillId }} }} }}",
    )
    parent = queued["data"]["launchRun"]["run"]["runId"]
    return {
        "launchRun": launch,
        "launchRunReexecution": f'reexecutionParams: {{parentRunId: "{parent}", strategy: ALL_STEPS}}',
        "launchPartitionBackfill": backfill,
        "cancelPartitionBackfill": f'backfillId: "{requested["data"]["launchPartitionBackfill"]["backfillId"]}"',
        "stopRunningSchedule": f'id: "{_first(analysts, "schedulesOrError", "Schedules", "scheduleState")}"',
        "stopSensor": f'id: "{_first(analysts, "sensorsOrError", "Sensors", "sensorState")}"',
    }


def _send(url: str, field: dict, types: dict[str, dict], arguments: str | None) -> str:
    """The mutation's outcome: the result's type name, or the GraphQL errors."""
    if arguments is None:
        required = [a for a in field["args"] if a["type"]["kind"] == "NON_NULL"]
        arguments = ", ".join(f"{a['name']}: {_placeholder(a['type'], types)}" for a in required)
    result_type = field["type"]
    while result_type["ofType"]:
        result_type = result_type["ofType"]
    selection = "" if result_type["kind"] == "SCALAR" else "{ __typename ... on PythonError { message } }"
    body = _graphql(url, f"mutation {{ {field['name']}{f'({arguments})' if arguments else ''} {selection} }}")
    if body.get("errors"):
        return "errors: " + "; ".join(e["message"] for e in body["errors"])
    value = body["data"][field["name"]]
    return (
        f"{value['__typename']} {value.get('message', '')}".strip()
        if isinstance(value, dict)
        else repr(value)
    )


def test_read_only_ui_refuses_every_kind_of_mutation(webservers, materialized_instance):
    fields, types = _schema(webservers["analysts"])
    targets = _real_targets(webservers, materialized_instance["SQUARE_PARTITIONS_START_DATE"])
    outcomes = {
        name: _send(webservers["analysts"], fields[name], types, targets.get(name))
        for name in REFUSED_MUTATIONS
    }
    # Refused: an UnauthorizedError result, or (for mutations answering a bare Boolean) a GraphQL error made of one.
    allowed = {name: outcome for name, outcome in outcomes.items() if "UnauthorizedError" not in outcome}
    assert not allowed, f"the read-only UI did not refuse: {allowed}"
    # The same requests reach the operators' resolvers (no permission refused there): the check is not vacuous.
    operators = {
        name: _send(webservers["operators"], fields[name], types, targets.get(name))
        for name in REFUSED_MUTATIONS
    }
    assert not [name for name, outcome in operators.items() if "UnauthorizedError" in outcome], operators
