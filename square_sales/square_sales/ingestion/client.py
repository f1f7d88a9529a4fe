"""The Square API client of the ingestion: the official SDK's transport, one retry policy, raw JSON pages.

The official ``squareup`` SDK builds every request (base URL, Bearer auth, ``Square-Version``, query encoding,
timeouts). Its typed response models are not used on the bulk path: constructing them costs ~1.5 ms per order on
this machine (a 1,000-order page takes seconds), and the lake stores each object exactly as Square returned it
anyway. So pages are read through the SDK's HTTP layer and parsed with orjson.

The SDK's own retries are switched off (``max_retries: 0``) and replaced by :class:`RetryPolicy`, because they do not
cover network errors (timeouts, dropped connections) and the backoff policy belongs in one place: jittered
exponential backoff honouring ``Retry-After``, for 429/5xx/408, timeouts and dropped connections, GET and POST alike
(every call here is a read, so repeating it is safe), within a bounded total time.

Every paged query goes through one helper, :meth:`SquareApi.pages`: it checks that each 200 answer really is a page
of the endpoint's list (no ``errors`` array, the list key present or the page empty, objects that are JSON objects),
stops on a cursor it has already followed (an API or proxy replaying a page would otherwise be followed forever),
bounds every query in pages and in time (:class:`PagingLimits`), and logs progress at intervals.

No message built here contains the access token: errors name the endpoint and Square's error codes only, and pass
through :func:`data_platform.redaction.redact` as a second guard.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
from square import Square

from data_platform.environment import ConfigError
from data_platform.redaction import redact
from square_sales.settings import SQUARE_ACCESS_TOKEN_VARIABLE

# The API version this ingestion was written and tested against (the OpenAPI contract in the repo).
SQUARE_API_VERSION = "2025-08-20"
RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
# Square caps: 10 location ids per SearchOrders, 1,000 orders and 100 payments/refunds per page.
ORDERS_PAGE_LIMIT = 1000
LIST_PAGE_LIMIT = 100
MAX_LOCATIONS_PER_SEARCH = 10


class SquareApiError(RuntimeError):
    """Square answered with an error that retrying will not fix."""


class SquareAuthError(SquareApiError):
    """Square rejected the access token (401/403)."""


class SquareUnavailableError(SquareApiError):
    """Square kept failing (rate limits, 5xx, network) until the retry budget ran out."""


class InvalidCursorError(SquareApiError):
    """Square no longer accepts a pagination cursor; the query must start again from the first page."""


class SquareResponseError(SquareApiError):
    """Square answered HTTP 200 with something that is not what the endpoint returns (an ``errors`` array, another
    list than the one asked for, JSON of the wrong shape)."""


class SquarePagingError(SquareApiError):
    """A paged query did not end: a cursor came back again, or it outgrew its bound in pages or in time."""


@dataclass(frozen=True)
class PagingLimits:
    """Bounds of one paged query. Square's biggest day here is a few hundred pages; these only stop a query that
    would otherwise never end (a replayed cursor is caught at once, whatever these say)."""

    max_pages: int = 20_000
    max_seconds: float = 4 * 3600.0
    progress_every_seconds: float = 60.0


@dataclass
class CallStats:
    requests: int = 0
    retries: int = 0
    pages: int = 0


@dataclass(frozen=True)
class RetryPolicy:
    max_total_seconds: float = 300.0
    base_delay_seconds: float = 0.5
    max_delay_seconds: float = 30.0
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def delay(self, attempt: int, retry_after: float | None) -> float:
        # "Full jitter" (AWS architecture blog): spreads retries of many workers; Retry-After is a floor.
        backoff = self.rng.uniform(0, min(self.max_delay_seconds, self.base_delay_seconds * 2**attempt))
        return max(backoff, retry_after or 0.0)


class _Retryable(Exception):
    def __init__(self, reason: str, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


def _retry_after_seconds(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date: fall back to our own backoff


def _error_codes(errors: Any) -> str:
    """Square's error list as 'CODE: detail; ...' (whatever its shape: it comes from outside)."""
    if not isinstance(errors, list):
        return _json_kind(errors)
    parts = [
        f"{e.get('code', '?')}: {e.get('detail', '')}".strip() if isinstance(e, dict) else _json_kind(e)
        for e in errors
    ]
    return "; ".join(parts)[:500]


def _square_errors(response: httpx.Response) -> str:
    """Square's error codes and details from an error body, e.g. 'RATE_LIMITED: ...'."""
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return response.text[:200]
    return _error_codes(body.get("errors") or []) if isinstance(body, dict) else response.text[:200]


def _json_kind(value: Any) -> str:
    """How a JSON value is called in messages: 'an object', 'a list', 'a string ('abc')', ..."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "null"
    kind = {bool: "a boolean", int: "a number", float: "a number", str: "a string"}.get(
        type(value), "a value"
    )
    return f"{kind} ({str(value)[:40]!r})"


def page_objects(page: Any, what: str, list_key: str) -> tuple[list[dict[str, Any]], str | None]:
    """The objects and the next cursor of one answer of a list endpoint, after checking it is one.

    Square answers an empty result with ``{}``; any other answer without the list it was asked for (an ``errors``
    array with HTTP 200, ``order_entries`` when full orders were asked for, a proxy's own JSON) is an error naming
    the endpoint and what came back, never taken as "no objects"."""
    if not isinstance(page, dict):
        raise SquareResponseError(
            f"Square {what} answered HTTP 200 with {_json_kind(page)} instead of an object."
        )
    if page.get("errors"):
        raise SquareResponseError(
            redact(f"Square {what} answered HTTP 200 with errors: {_error_codes(page['errors'])}")
        )
    objects = page.get(list_key)
    if objects is None:
        unexpected = sorted(set(page) - {"cursor", "errors"})
        if unexpected:
            raise SquareResponseError(
                f"Square {what} answered without '{list_key}' but with {', '.join(unexpected)}: not a page of "
                f"{list_key} (an API change, or a proxy answering in Square's place)."
            )
        objects = []
    if not isinstance(objects, list):
        raise SquareResponseError(
            f"Square {what} answered '{list_key}' as {_json_kind(objects)}, not a list."
        )
    for index, obj in enumerate(objects):
        if not isinstance(obj, dict):
            raise SquareResponseError(
                f"Square {what}: item {index} of '{list_key}' is {_json_kind(obj)}, not an object."
            )
    cursor = page.get("cursor")
    if cursor is not None and not isinstance(cursor, str):
        raise SquareResponseError(f"Square {what} answered the cursor as {_json_kind(cursor)}, not a string.")
    return objects, cursor or None


class SquareApi:
    """Read-only access to the Square endpoints the ingestion needs, as raw JSON pages."""

    def __init__(
        self,
        base_url: str,
        access_token: str,
        timeout_seconds: float = 30.0,
        retry: RetryPolicy | None = None,
        orders_page_limit: int = ORDERS_PAGE_LIMIT,
        list_page_limit: int = LIST_PAGE_LIMIT,
        paging: PagingLimits | None = None,
        log: logging.Logger | None = None,
    ):
        if not access_token or not access_token.strip():
            raise ConfigError(f"{SQUARE_ACCESS_TOKEN_VARIABLE} is empty; set it to a Square access token.")
        if not base_url.startswith(("http://", "https://")):
            raise ConfigError(f"SQUARE_BASE_URL={base_url!r} must start with http:// or https://.")
        self.base_url = base_url.rstrip("/")
        self.retry = retry or RetryPolicy()
        self.paging = paging or PagingLimits()
        # Dagster's context.log in a run or sensor (anything with .info), a module logger elsewhere.
        self.log = log or logging.getLogger(__name__)
        self.stats = CallStats()
        # Square's maxima by default; smaller pages only to exercise paging in tests.
        self.orders_page_limit = orders_page_limit
        self.list_page_limit = list_page_limit
        self._timeout = timeout_seconds
        self._http = httpx.Client(timeout=timeout_seconds)
        sdk = Square(
            token=access_token,
            base_url=self.base_url,
            timeout=timeout_seconds,
            version=SQUARE_API_VERSION,
            httpx_client=self._http,
        )
        # The SDK's transport: builds URL, headers (auth, Square-Version) and encodes params like every SDK call.
        self._transport = sdk._client_wrapper.httpx_client

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SquareApi:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- one request, with the retry policy ---------------------------------------------------------------------

    def request(
        self, method: str, path: str, *, json: dict | None = None, params: dict | None = None
    ) -> dict[str, Any]:
        what = f"{method} /{path}"
        deadline = time.monotonic() + self.retry.max_total_seconds
        attempt = 0
        while True:
            try:
                return self._attempt(method, path, json=json, params=params)
            except _Retryable as failure:
                remaining = deadline - time.monotonic()
                wait = self.retry.delay(attempt, failure.retry_after)
                if wait > remaining:
                    raise SquareUnavailableError(
                        redact(
                            f"Square {what} at {self.base_url} still failing after {attempt + 1} attempts over "
                            f"{self.retry.max_total_seconds - remaining:.1f}s (retry budget "
                            f"{self.retry.max_total_seconds:.0f}s, SQUARE_RETRY_MAX_SECONDS): {failure.reason}"
                        )
                    ) from None
                self.stats.retries += 1
                attempt += 1
                time.sleep(wait)

    def _attempt(self, method: str, path: str, *, json: dict | None, params: dict | None) -> dict[str, Any]:
        self.stats.requests += 1
        try:
            response = self._transport.request(
                path,
                method=method,
                json=json,
                params=params,
                request_options={"max_retries": 0, "timeout_in_seconds": self._timeout},
            )
        except httpx.TimeoutException as exc:
            raise _Retryable(f"timeout ({type(exc).__name__})") from None
        except httpx.TransportError as exc:
            # Connection refused/reset, dropped mid-response, protocol errors: all worth another try.
            raise _Retryable(redact(f"network error ({type(exc).__name__}: {exc})")) from None
        status = response.status_code
        if 200 <= status < 300:
            try:
                return orjson.loads(response.content)
            except orjson.JSONDecodeError:
                raise _Retryable(f"HTTP {status} with a body that is not JSON (truncated?)") from None
        detail = redact(_square_errors(response))
        if status in RETRYABLE_STATUSES:
            raise _Retryable(f"HTTP {status} {detail}", _retry_after_seconds(response))
        if status in (401, 403):
            raise SquareAuthError(
                f"Square {method} /{path} at {self.base_url} refused the access token (HTTP {status} {detail}); "
                f"check {SQUARE_ACCESS_TOKEN_VARIABLE} and its permissions."
            )
        sent_cursor = bool((json or {}).get("cursor") or (params or {}).get("cursor"))
        if sent_cursor and status in (400, 404) and "CURSOR" in detail.upper():
            raise InvalidCursorError(f"Square {method} /{path}: cursor rejected ({detail})")
        raise SquareApiError(f"Square {method} /{path} at {self.base_url} failed: HTTP {status} {detail}")

    # -- paging ------------------------------------------------------------------------------------------------

    def pages(
        self,
        method: str,
        path: str,
        list_key: str,
        *,
        json: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
    ) -> Iterator[list[dict[str, Any]]]:
        """The objects of every page of one query, page by page; the cursor goes where the endpoint takes it
        (the body of a POST with the original query, the query string of a GET), never as null.

        The next page is fetched in the background while the caller processes this one, so waiting for Square
        overlaps with parsing and writing; at most two pages are in memory at once.
        """
        what = f"{method} /{path}" + (
            f" (location {params['location_id']})" if "location_id" in (params or {}) else ""
        )

        def fetch(cursor: str | None) -> dict[str, Any]:
            if cursor is None:
                return self.request(method, path, json=json, params=params)
            if method == "GET":
                return self.request(method, path, params={**(params or {}), "cursor": cursor})
            return self.request(method, path, json={**(json or {}), "cursor": cursor}, params=params)

        progress = _Progress(what, self.paging, self.log)
        prefetcher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="square-page")
        try:
            pending = prefetcher.submit(fetch, None)
            while pending is not None:
                objects, cursor = page_objects(pending.result(), what, list_key)
                self.stats.pages += 1
                progress.page(len(objects), cursor)
                pending = prefetcher.submit(fetch, cursor) if cursor else None
                yield objects
            progress.done()
        finally:
            # A caller that stops early (an error while writing) must not wait for a prefetch still retrying.
            prefetcher.shutdown(wait=False, cancel_futures=True)

    def single_page(
        self, method: str, path: str, list_key: str, *, json: dict | None = None, params: dict | None = None
    ) -> list[dict[str, Any]]:
        """The objects of one answer (an endpoint without paging, or only the first page wanted)."""
        objects, _ = page_objects(
            self.request(method, path, json=json, params=params), f"{method} /{path}", list_key
        )
        return objects

    def search_orders(
        self,
        location_ids: list[str],
        query: dict[str, Any],
        *,
        return_entries: bool = False,
    ) -> Iterator[list[dict[str, Any]]]:
        """Pages of POST /v2/orders/search: full orders, or ``order_entries`` (id, version, location)."""
        if not 0 < len(location_ids) <= MAX_LOCATIONS_PER_SEARCH:
            raise ValueError(f"SearchOrders takes 1..{MAX_LOCATIONS_PER_SEARCH} location ids")
        body: dict[str, Any] = {"location_ids": location_ids, "query": query, "limit": self.orders_page_limit}
        if return_entries:
            body["return_entries"] = True
        return self.pages(
            "POST", "v2/orders/search", "order_entries" if return_entries else "orders", json=body
        )

    def list_objects(
        self, path: str, params: dict[str, Any], list_key: str
    ) -> Iterator[list[dict[str, Any]]]:
        """Pages of a GET list endpoint (payments, refunds, catalog, customers)."""
        return self.pages("GET", path, list_key, params=params)

    def list_locations(self) -> list[dict[str, Any]]:
        return self.single_page("GET", "v2/locations", "locations")

    def location_ids(self) -> list[str]:
        """Ids of every location of the seller: the scope of each daily pull, check and change poll."""
        ids = [location.get("id") for location in self.list_locations()]
        if not all(isinstance(i, str) and i for i in ids):
            raise SquareResponseError("Square GET /v2/locations answered a location without an id.")
        return ids


class _Progress:
    """Counts one query's pages and objects, refuses a cursor seen before and the query's bounds, and logs how
    far it got every ``progress_every_seconds``."""

    def __init__(self, what: str, limits: PagingLimits, log: logging.Logger) -> None:
        self.what, self.limits, self.log = what, limits, log
        self.pages = self.objects = 0
        self.started = self.logged = time.monotonic()
        self.cursors: set[str] = set()

    def page(self, objects: int, cursor: str | None) -> None:
        self.pages += 1
        self.objects += objects
        now = time.monotonic()
        so_far = f"after {self.pages} page(s) and {self.objects} object(s) in {now - self.started:.0f}s"
        if cursor is not None and cursor in self.cursors:
            raise SquarePagingError(
                f"Square {self.what} answered a cursor it had already given {so_far}: following it would never "
                "end (an API fault, or a proxy or cache replaying answers); stopped."
            )
        if cursor is not None and self.pages >= self.limits.max_pages:
            raise SquarePagingError(
                f"Square {self.what} still had more pages {so_far}: over the bound of "
                f"{self.limits.max_pages} pages per query; stopped."
            )
        if cursor is not None and now - self.started > self.limits.max_seconds:
            raise SquarePagingError(
                f"Square {self.what} still had more pages {so_far}: over the bound of "
                f"{self.limits.max_seconds:.0f}s per query; stopped."
            )
        if cursor is not None:
            self.cursors.add(cursor)
        if now - self.logged >= self.limits.progress_every_seconds:
            self.logged = now
            self.log.info(
                f"Square {self.what}: {self.pages} page(s), {self.objects} object(s) so far ({now - self.started:.0f}s)"
            )

    def done(self) -> None:
        if self.pages > 1 and time.monotonic() - self.started >= self.limits.progress_every_seconds:
            self.log.info(f"Square {self.what}: done, {self.pages} page(s), {self.objects} object(s)")
