"""How each kind of bad input of the catalogue is tried, through the path a user's run takes.

Every scenario returns an :class:`Outcome`: the clear error the platform raised (``error``), the finding of the check
that caught an input the platform kept (``flagged``), or ``accepted`` for an unusual but valid input that landed
intact. A scenario that sees data lost raises AssertionError instead.
"""

from __future__ import annotations

import copy
import datetime as dt
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from dagster import AssetMaterialization, DagsterInstance, materialize

from data_platform.alerts import load_alert_settings
from data_platform.environment import ConfigError
from data_platform.resources.lake import LakeError, LakeResource
from data_platform.resources.warehouse import WarehouseResource
from data_platform.settings import load_settings
from square_sales.ingestion.client import PagingLimits, RetryPolicy, SquareApi, SquareApiError
from square_sales.ingestion.layout import ENTITIES, ORDERS, PAYMENTS, REFUNDS, MalformedFieldError, RawEntity
from square_sales.ingestion.pull import PullStats, pull_day, pull_snapshot
from square_sales.quality.config import load_quality_settings
from square_sales.settings import load_square_sales_settings
from tests.faults.square_double import Answer, Request, Rule, misbehaving_square
from tests.quality.rawdata import midday, order, payment, quality_defs, run_checks, write_partition

TIMEZONE = "America/New_York"
DAY = dt.date(2026, 11, 12)  # a day of the sandbox chain of tests/ingestion/conftest.py
TOKEN = "tok-faults-5f1e2d3c"  # the double's token: no message may contain it
LOCATION = {
    "id": "L1",
    "name": "Main St",
    "timezone": "America/New_York",
    "currency": "USD",
    "status": "ACTIVE",
}
ERRORS = (ConfigError, SquareApiError, MalformedFieldError, LakeError)


@dataclass(frozen=True)
class Outcome:
    kind: str  # error | flagged | accepted
    message: str


class Harness:
    """The fixtures a scenario may need, created only when it asks for them."""

    def __init__(self, request: pytest.FixtureRequest) -> None:
        self._request = request

    def fixture(self, name: str) -> Any:
        return self._request.getfixturevalue(name)

    @property
    def tmp_path(self):
        return self.fixture("tmp_path")

    def local_lake(self) -> LakeResource:
        lake = LakeResource(root_url=str(self.tmp_path / "lake"))
        lake.check()
        return lake


def error_outcome(action: Callable[[], Any]) -> Outcome:
    """The clear error ``action`` raises; ``accepted`` when it raises none."""
    try:
        action()
    except ERRORS as error:
        return Outcome("error", str(error))
    return Outcome("accepted", "no error")


# -- settings ------------------------------------------------------------------------------------------------


def load_every_setting(environ: dict[str, str]) -> None:
    """What loading both code locations reads from the environment."""
    load_settings(environ)
    load_square_sales_settings(environ)
    load_quality_settings(environ)
    load_alert_settings(environ)


def bad_setting(**environ: str) -> Callable[[Harness], Outcome]:
    return lambda _h: error_outcome(lambda: load_every_setting(environ))


# -- a misbehaving Square ------------------------------------------------------------------------------------


def fast_api(url: str, token: str = TOKEN, **paging: Any) -> SquareApi:
    return SquareApi(
        url,
        token,
        timeout_seconds=5,
        retry=RetryPolicy(max_total_seconds=1.0, base_delay_seconds=0.01, max_delay_seconds=0.05),
        paging=PagingLimits(**{"max_pages": 50, "max_seconds": 30.0, **paging}),
    )


def with_locations(answer: Callable[[Request], Answer]) -> Rule:
    """Answers ListLocations properly, everything else through ``answer``."""
    return lambda request: (
        Answer({"locations": [LOCATION]}) if request.path == "/v2/locations" else answer(request)
    )


def constant(body: Any, status: int = 200) -> Rule:
    return with_locations(lambda _request: Answer(body, status))


def fresh_cursors(list_key: str, delay: float = 0.0) -> Rule:
    """A page with one object and a new cursor, forever."""
    counter = iter(range(10**9))

    def answer(_request: Request) -> Answer:
        time.sleep(delay)
        return Answer({"cursor": f"c{next(counter)}", list_key: [_sample(list_key)]})

    return with_locations(answer)


def _sample(list_key: str) -> dict:
    created = midday(DAY)
    return {
        "orders": order("L1", created),
        "payments": payment("L1", created),
        "order_entries": {"order_id": "ORD-1", "location_id": "L1", "version": 1},
        "refunds": {**payment("L1", created), "payment_id": "PAY-1"},
        "objects": {"id": "ITEM-1", "type": "ITEM", "updated_at": "2026-11-01T00:00:00Z", "version": 1},
        "customers": {
            "id": "CUST-1",
            "created_at": "2026-11-01T00:00:00Z",
            "updated_at": "2026-11-01T00:00:00Z",
        },
    }[list_key]


# What a scenario asks of the double: the operation of the platform that reads those answers.
def pull(entity: RawEntity) -> Callable[[SquareApi, LakeResource], Any]:
    return lambda api, lake: pull_day(api, lake, entity, DAY, TIMEZONE, ["L1"], run_id="faults")


def snapshot(entity: RawEntity) -> Callable[[SquareApi, LakeResource], Any]:
    return lambda api, lake: pull_snapshot(
        api, lake, entity, dt.datetime(2026, 11, 20, tzinfo=dt.UTC), "faults"
    )


def audit(api: SquareApi, lake: LakeResource) -> Any:
    from square_sales.ingestion.completeness import compare_partition

    return compare_partition(api, lake, DAY, TIMEZONE, ["L1"])


def late_changes(api: SquareApi, lake: LakeResource) -> Any:
    from square_sales.ingestion.changes import find_changed_days

    since = "2026-11-01T00:00:00+00:00"
    return find_changed_days(api, ["L1"], dict.fromkeys(("orders", "payments", "refunds"), since), TIMEZONE)


def baseline(api: SquareApi, lake: LakeResource) -> Any:
    from square_sales.ingestion.changes import baseline_cursor

    return baseline_cursor(api, ["L1"])


def locations(api: SquareApi, lake: LakeResource) -> Any:
    return api.location_ids()


def square_answers(
    rule: Rule, operation: Callable[[SquareApi, LakeResource], Any], token: str = TOKEN, **paging: Any
) -> Callable[[Harness], Outcome]:
    """``operation`` against a Square that answers through ``rule``; nothing may reach the lake."""

    def scenario(h: Harness) -> Outcome:
        lake = h.local_lake()

        def act() -> None:
            with fast_api(square.url, token, **paging) as api:
                operation(api, lake)

        with misbehaving_square(rule) as square:
            outcome = error_outcome(act)
        assert lake.find("raw") == [], "a failed pull must leave no partition behind"
        return outcome

    return scenario


# -- the sandbox's real answers, altered on the way ----------------------------------------------------------


def altered(entity: RawEntity, change: Callable[[dict], None], every: int = 3) -> Callable[[Request], Answer]:
    """Passes the sandbox's answers through, applying ``change`` to every ``every``-th object of ``entity``."""
    path = "/v2/orders/search" if entity is ORDERS else f"/v2/{entity.name}"

    def rule(request: Request) -> Answer:
        body = copy.deepcopy(request.upstream)
        if request.path == path and isinstance(body, dict):
            for index, obj in enumerate(body.get(entity.response_key) or []):
                if index % every == 0:
                    change(obj)
        return Answer(body, request.upstream_status)

    return rule


def set_field(path: str, value: Any) -> Callable[[dict], None]:
    *parents, last = path.split(".")

    def change(obj: dict) -> None:
        target = obj
        for key in parents:
            target = target.setdefault(key, {})
        target[last] = value

    return change


def drop_field(name: str) -> Callable[[dict], None]:
    return lambda obj: obj.pop(name, None)


def _truth_ids(sandbox, entity: RawEntity) -> set[str]:
    from tests.ingestion.support import day_bounds

    return {row["id"] for row in sandbox.truth(entity.name, *day_bounds(DAY, TIMEZONE))}


def _pull_through(h: Harness, entity: RawEntity, change: Callable[[dict], None], every: int):
    sandbox = h.fixture("fault_sandbox")
    sandbox.set_faults()
    lake = h.local_lake()
    with (
        misbehaving_square(altered(entity, change, every), upstream=sandbox.base_url) as square,
        fast_api(square.url, sandbox.token) as api,
    ):
        location_ids = api.location_ids()
        try:
            stats = pull_day(api, lake, entity, DAY, TIMEZONE, location_ids, run_id="faults")
        except ERRORS as error:
            assert lake.find(entity.folder) == [], "a failed pull must not publish the partition"
            return Outcome("error", str(error)), None, None
    return None, stats, lake


def _assert_nothing_lost(h: Harness, entity: RawEntity, stats: PullStats) -> None:
    assert stats.objects_received == stats.rows + stats.duplicates_skipped + stats.outside_range_skipped
    assert stats.rows == len(_truth_ids(h.fixture("fault_sandbox"), entity)), "every object of the day landed"


def altered_field(
    entity: RawEntity,
    change: Callable[[dict], None],
    check: str | None = None,
    every: int = 3,
    counted: bool = True,
) -> Callable[[Harness], Outcome]:
    """Pull ``entity`` for DAY through the sandbox with ``change`` applied; a pull that does not stop must land
    every object, count what it kept as null (a typed column: ``counted``), and ``check`` (a raw check of
    ``entity``) must fail naming it."""

    def scenario(h: Harness) -> Outcome:
        failed, stats, lake = _pull_through(h, entity, change, every)
        if failed is not None:
            return failed
        _assert_nothing_lost(h, entity, stats)
        if check is None:
            assert stats.malformed.total == 0 and stats.null_key_rows == 0, stats.malformed.summary()
            return Outcome("accepted", f"{stats.rows} rows landed intact")
        if counted:
            assert stats.malformed.total or stats.null_key_rows, (
                "the pull's metadata counts what it kept as null"
            )
        evaluation = run_checks(quality_defs(lake, load_quality_settings({})), DAY)[(entity.name, check)]
        assert not evaluation.passed, f"{check} passed: {evaluation.description}"
        return Outcome("flagged", f"{check}: {evaluation.description}")

    return scenario


# -- the lake ------------------------------------------------------------------------------------------------


def lake_scenario(make: Callable[[Harness], LakeResource]) -> Callable[[Harness], Outcome]:
    """The check every run makes before it pulls (LakeResource.prepare_for_writes)."""
    return lambda h: error_outcome(lambda: make(h).prepare_for_writes(ORDERS.folder))


def azurite_lake(key: str | None = None, container: str = "lake") -> Callable[[Harness], LakeResource]:
    def make(h: Harness) -> LakeResource:
        from tests.support.azurite import ACCOUNT_KEY

        server = h.fixture("azurite_server")
        connection_string = (
            server.connection_string.replace(ACCOUNT_KEY, key) if key else server.connection_string
        )
        return LakeResource(
            root_url=f"abfs://{container}/platform", connection_string=connection_string, timeout_seconds=3
        )

    return make


# -- dbt over missing raw partitions -------------------------------------------------------------------------


def _record_pull(instance: DagsterInstance, entity: RawEntity, rows: int) -> None:
    instance.report_runless_asset_event(
        AssetMaterialization(
            asset_key=entity.asset_key,
            partition=DAY.isoformat(),
            metadata={"rows": rows, "rows_by_partition": {DAY.isoformat(): rows}},
        )
    )


def raw_inputs(state: str) -> Callable[[Harness], Outcome]:
    """Build the daily marts for DAY when its raw orders are ``missing`` (never pulled), ``deleted`` (pulled,
    then gone from the lake) or ``emptied`` (pulled with rows, now an empty file)."""

    def scenario(h: Harness) -> Outcome:
        from square_sales.partitions import daily_partitions
        from square_sales.transform.assets import build_dbt_assets
        from square_sales.transform.project import build_dbt_resource

        lake = h.local_lake()
        with DagsterInstance.ephemeral() as instance:
            for entity in (ORDERS, PAYMENTS, REFUNDS):
                objects = [order("L1", midday(DAY))] if entity is ORDERS else []
                if entity is not ORDERS or state == "emptied":
                    write_partition(lake, entity, DAY, [] if entity is ORDERS else objects)
                if entity is not ORDERS or state != "missing":
                    _record_pull(instance, entity, rows=12 if entity is ORDERS else 0)
            daily, _ = build_dbt_assets(daily_partitions())
            warehouse = WarehouseResource(database_path=str(h.tmp_path / "warehouse.duckdb"), lake=lake)
            result = materialize(
                [daily],
                partition_key=DAY.isoformat(),
                instance=instance,
                resources={"lake": lake, "warehouse": warehouse, "dbt": build_dbt_resource(lake)},
                raise_on_error=False,
            )
        assert not result.success, "the marts were built over a missing raw partition"
        error = result.get_step_failure_events()[0].step_failure_data.error
        while error.cause is not None:
            error = error.cause
        assert not (h.tmp_path / "warehouse.duckdb").exists(), "dbt must not have started"
        return Outcome("error", error.message.strip().split(": ", 1)[-1])

    return scenario


# -- a changed object the late-change sensor cannot place ----------------------------------------------------


def audit_after(entity: RawEntity, change: Callable[[dict], None]) -> Callable[[Harness], Outcome]:
    """The completeness audit of DAY after a pull through the sandbox with ``change`` applied."""

    def scenario(h: Harness) -> Outcome:
        from square_sales.ingestion.completeness import compare_partition

        failed, _, lake = _pull_through(h, entity, change, every=3)
        assert failed is None, failed
        sandbox = h.fixture("fault_sandbox")
        with fast_api(sandbox.base_url, sandbox.token) as api:
            diff = compare_partition(api, lake, DAY, TIMEZONE, api.location_ids())
        assert not diff.matches
        return Outcome(
            "flagged",
            f"completeness_vs_square: {diff.lake_without_id} lake row(s) without id, {len(diff.missing)} missing",
        )

    return scenario


def unplaceable_change(h: Harness) -> Outcome:
    """The late-change sensor's query sees a changed order without created_at: it names it in its log."""
    broken = {**order("L1", midday(DAY)), "updated_at": "2026-11-19T10:00:00Z"}
    del broken["created_at"]

    def answer(request: Request) -> Answer:
        return Answer({"orders": [broken]} if request.path == "/v2/orders/search" else {})

    caplog = h.fixture("caplog")
    log = logging.getLogger("tests.faults.sensor")
    with misbehaving_square(with_locations(answer)) as square, fast_api(square.url) as api:
        api.log = log
        with caplog.at_level(logging.WARNING, logger=log.name):
            changed, _ = late_changes(api, h.local_lake())
    assert changed["orders"] == set()
    return Outcome("flagged", " ".join(r.getMessage() for r in caplog.records if r.name == log.name))


def iter_entities() -> Iterator[RawEntity]:
    yield from ENTITIES.values()
