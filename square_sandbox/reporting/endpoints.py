"""``GET /reporting/v1/meta`` and ``POST /reporting/v1/load``, answered as of the data's last refresh.

The data is as fresh as the clock unless a freshness lag is set (flag or admin switch): then both endpoints
answer as of ``now - lag`` and say so (``lastRefreshTime``). A query can be made to run long: the admin switch
``continue_wait_polls`` makes each new query answer Square's ``{"error": "Continue wait"}`` (HTTP 200) that many
times before its result (a negative number: forever).
"""

from __future__ import annotations

import dataclasses
import threading

import orjson

from square_sandbox.clock import Clock
from square_sandbox.cursors import fingerprint
from square_sandbox.params import QueryParams, json_object, settings_from
from square_sandbox.reporting.engine import answer_rows, time_annotation
from square_sandbox.reporting.facts import ReportFacts
from square_sandbox.reporting.query import ReportQuery, parse_query, query_error
from square_sandbox.reporting.schema import member_json, metadata
from square_sandbox.store import Store
from square_sandbox.timeutil import US_PER_SECOND, format_us
from square_sandbox.world import World

CONTINUE_WAIT = b'{"error":"Continue wait"}'
REFRESH_INTERVAL_SECONDS = 900
MAX_TRACKED_QUERIES = 10_000


@dataclasses.dataclass
class ReportingSettings:
    continue_wait_polls: int = 0  # "Continue wait" answers each new query gets first (negative: forever)
    freshness_lag_seconds: int = 0  # the data is this much older than the clock

    @classmethod
    def from_mapping(cls, values: dict) -> ReportingSettings:
        settings = settings_from(cls, values, "reporting")
        for name in ("continue_wait_polls", "freshness_lag_seconds"):
            value = getattr(settings, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"reporting {name} must be an integer, got {value!r}")
        if settings.freshness_lag_seconds < 0:
            raise ValueError("reporting freshness_lag_seconds must not be negative")
        return settings


class ReportingEndpoints:
    def __init__(self, world: World, store: Store, clock: Clock, freshness_lag_seconds: int = 0) -> None:
        self.world = world
        self.clock = clock
        self.facts = ReportFacts(world, store)
        self.default_settings = ReportingSettings(freshness_lag_seconds=freshness_lag_seconds)
        self.settings = self.default_settings
        self._waiting: dict[str, int] = {}  # query fingerprint -> "Continue wait" answers left
        self._lock = threading.Lock()
        self.routes = {
            ("GET", "/reporting/v1/meta"): self.meta,
            ("POST", "/reporting/v1/load"): self.load,
        }

    def configure(self, values: dict) -> ReportingSettings:
        """Admin: ``{}`` restores the defaults; otherwise the given settings replace them."""
        settings = ReportingSettings.from_mapping({**dataclasses.asdict(self.default_settings), **values})
        with self._lock:
            self.settings = settings
            self._waiting.clear()
        return settings

    def refreshed_at(self) -> int:
        return self.clock.now() - self.settings.freshness_lag_seconds * US_PER_SECOND

    def meta(self, query: QueryParams, body: bytes, stale_cursor: bool) -> bytes:
        freshness = {
            "lastRefreshTime": format_us(self.refreshed_at()),
            "refreshIntervalSeconds": REFRESH_INTERVAL_SECONDS,
        }
        return orjson.dumps(metadata(freshness))

    def load(self, query: QueryParams, body: bytes, stale_cursor: bool) -> bytes:
        request = json_object(body)
        if request.get("queryType", "regularQuery") != "regularQuery":
            raise query_error("Only regular queries are supported (queryType: regularQuery).")
        if "query" not in request:
            raise query_error("The request needs a `query` object.")
        refreshed = self.refreshed_at()
        parsed = parse_query(request["query"], refreshed)
        if self._still_running(fingerprint(request["query"])):
            return CONTINUE_WAIT
        rows = answer_rows(parsed, self.facts, self.world, refreshed)
        return orjson.dumps(
            {
                "query": parsed.echo,
                "data": rows,
                "lastRefreshTime": format_us(refreshed),
                "annotation": _annotation(parsed),
                "dataSource": "default",
                "dbType": "sandbox",
                "external": False,
                "slowQuery": False,
                "queryType": "regularQuery",
            }
        )

    def _still_running(self, query_fingerprint: str) -> bool:
        with self._lock:
            left = self._waiting.get(query_fingerprint, self.settings.continue_wait_polls)
            if left == 0:
                self._waiting.pop(query_fingerprint, None)
                return False
            if len(self._waiting) >= MAX_TRACKED_QUERIES:
                self._waiting.clear()
            self._waiting[query_fingerprint] = left - 1 if left > 0 else left
            return True


def _annotation(query: ReportQuery) -> dict:
    view = query.view
    annotation: dict = {
        "measures": {f"{view.name}.{m.name}": member_json(view, m) for m in query.measures},
        "dimensions": {f"{view.name}.{m.name}": member_json(view, m) for m in query.dimensions},
        "segments": {
            f"{view.name}.{s.name}": {"title": f"{view.title} {s.title}", "shortTitle": s.title}
            for s in query.segments
        },
        "timeDimensions": {},
    }
    for spec in query.time_dimensions:
        for key in time_annotation(query, spec):
            entry = member_json(view, spec.member)
            if key.count(".") == 2:
                entry["granularity"] = {"name": spec.granularity, "title": str(spec.granularity).title()}
            annotation["timeDimensions"][key] = entry
    return annotation
