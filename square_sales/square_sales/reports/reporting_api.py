"""Square's Reporting API (Beta): ``GET /reporting/v1/meta`` and ``POST /reporting/v1/load`` (Cube queries),
called through the ingestion's client, so 429 / 5xx / network errors get its retry policy within
SQUARE_RETRY_MAX_SECONDS.

Square answers a query it is still computing with HTTP 200 ``{"error": "Continue wait"}``: the same query is sent
again, with growing pauses, until it answers or the wait budget (the same SQUARE_RETRY_MAX_SECONDS) runs out; then
the query fails naming the view and how long it waited. Answers are read with the SDK's own types
(``MetadataResponse``, ``LoadResponse``: what ``client.reporting`` returns), so a change of Square's shapes shows
here rather than as wrong numbers.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from square.types.cube import Cube
from square.types.load_response import LoadResponse
from square.types.metadata_response import MetadataResponse

from square_sales.ingestion.client import SquareApi, SquareApiError, SquareAuthError

META_PATH = "reporting/v1/meta"
LOAD_PATH = "reporting/v1/load"
CONTINUE_WAIT = "Continue wait"
# Cube's largest page: a query asks for this many rows and pages on with `offset` while pages come back full.
PAGE_ROWS = 50_000
READ_PERMISSION = "REPORTING_READ"


class ReportingPermissionError(SquareAuthError):
    """The access token may not read Square's reports (it lacks REPORTING_READ)."""


class ReportingQueryStillRunning(SquareApiError):
    """Square kept answering "Continue wait" until the wait budget ran out."""


@dataclass(frozen=True)
class LoadedRows:
    rows: list[dict[str, Any]]
    last_refresh: datetime | None  # what the data is as of (Square's data freshness)


def parse_time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


class ReportingApi:
    def __init__(
        self,
        api: SquareApi,
        wait_seconds: float,
        first_pause_seconds: float = 0.5,
        longest_pause_seconds: float = 5.0,
    ):
        self.api = api
        self.wait_seconds = wait_seconds
        self.first_pause_seconds = first_pause_seconds
        self.longest_pause_seconds = longest_pause_seconds

    def views(self) -> dict[str, Cube]:
        """The views and cubes ``/v1/meta`` lists now, by name."""
        answer = MetadataResponse.model_validate(self._call("GET", META_PATH))
        return {cube.name: cube for cube in answer.cubes or []}

    def load(self, query: dict[str, Any]) -> LoadedRows:
        """Every row of a query, page after page."""
        rows: list[dict[str, Any]] = []
        last_refresh = None
        while True:
            page = self._answer({**query, "limit": PAGE_ROWS, "offset": len(rows)})
            data = page.data or []
            if not isinstance(data, list):
                raise SquareApiError(
                    f"Square's Reporting API answered {query} without rows (data: {data!r})."
                )
            rows += data
            last_refresh = parse_time(page.last_refresh_time) or last_refresh
            if len(data) < PAGE_ROWS:
                return LoadedRows(rows, last_refresh)

    def _answer(self, query: dict[str, Any]) -> LoadResponse:
        """One page, asking again while Square says "Continue wait" (bounded by ``wait_seconds``)."""
        started = time.monotonic()
        pause, polls = self.first_pause_seconds, 0
        while True:
            body = self._call("POST", LOAD_PATH, json={"query": query, "queryType": "regularQuery"})
            error = body.get("error")
            if error is None:
                return LoadResponse.model_validate(body)
            if error != CONTINUE_WAIT:
                raise SquareApiError(f"Square's Reporting API refused the query {query}: {error}")
            polls += 1
            waited = time.monotonic() - started
            if waited + pause > self.wait_seconds:
                raise ReportingQueryStillRunning(
                    f"Square's Reporting API still answered '{CONTINUE_WAIT}' after {polls} polls over "
                    f"{waited:.0f}s for a query on {_views_of(query)} (wait budget {self.wait_seconds:.0f}s, "
                    "SQUARE_RETRY_MAX_SECONDS): try again later, or compare fewer days at once."
                )
            time.sleep(pause)
            pause = min(pause * 2, self.longest_pause_seconds)

    def _call(self, method: str, path: str, json: dict | None = None) -> dict[str, Any]:
        try:
            return self.api.request(method, path, json=json)
        except SquareAuthError as error:
            raise ReportingPermissionError(
                f"Square's Reporting API refused the access token ({error}). Reading Square's reports needs a "
                f"token with the {READ_PERMISSION} permission (OAuth scope {READ_PERMISSION})."
            ) from None


def _views_of(query: dict[str, Any]) -> str:
    members = [*query.get("measures", []), *query.get("dimensions", [])]
    return ", ".join(sorted({member.split(".")[0] for member in members})) or "?"
