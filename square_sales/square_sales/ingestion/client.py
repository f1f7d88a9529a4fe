"""The Square API client of the ingestion: the official SDK's transport, one retry policy, raw JSON pages.

The official ``squareup`` SDK builds every request (base URL, Bearer auth, ``Square-Version``, query encoding,
timeouts). Its typed response models are not used on the bulk path: constructing them costs ~1.5 ms per order on
this machine (a 1,000-order page takes seconds), and the lake stores each object exactly as Square returned it
anyway. So pages are read through the SDK's HTTP layer and parsed with orjson.

The SDK's own retries are switched off (``max_retries: 0``) and replaced by :class:`RetryPolicy`, because they do not
cover network errors (timeouts, dropped connections) and the backoff policy belongs in one place: jittered
exponential backoff honouring ``Retry-After``, for 429/5xx/408, timeouts and dropped connections, GET and POST alike
(every call here is a read, so repeating it is safe), within a bounded total time.

No message built here contains the access token: errors name the endpoint and Square's error codes only, and pass
through :func:`data_platform.redaction.redact` as a second guard.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
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


def _square_errors(response: httpx.Response) -> str:
    """Square's error codes and details from an error body, e.g. 'RATE_LIMITED: ...'; the Reporting API answers
    ``{"error": "..."}`` instead."""
    try:
        body = orjson.loads(response.content)
        errors = body.get("errors") or []
    except (orjson.JSONDecodeError, AttributeError):
        return response.text[:200]
    if not errors and isinstance(body.get("error"), str):
        return body["error"][:500]
    return "; ".join(f"{e.get('code', '?')}: {e.get('detail', '')}".strip() for e in errors)[:500]


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
    ):
        if not access_token or not access_token.strip():
            raise ConfigError(f"{SQUARE_ACCESS_TOKEN_VARIABLE} is empty; set it to a Square access token.")
        if not base_url.startswith(("http://", "https://")):
            raise ConfigError(f"SQUARE_BASE_URL={base_url!r} must start with http:// or https://.")
        self.base_url = base_url.rstrip("/")
        self.retry = retry or RetryPolicy()
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

    def _pages(self, fetch: Callable[[str | None], dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """Follow the cursor, fetching the next page in the background while the caller processes this one.

        Waiting for Square (network, its work) then overlaps with parsing and writing; at most two pages are in
        memory at once.
        """
        prefetcher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="square-page")
        try:
            pending = prefetcher.submit(fetch, None)
            while pending is not None:
                page = pending.result()
                self.stats.pages += 1
                cursor = page.get("cursor")
                pending = prefetcher.submit(fetch, cursor) if cursor else None
                yield page
        finally:
            # A caller that stops early (an error while writing) must not wait for a prefetch still retrying.
            prefetcher.shutdown(wait=False, cancel_futures=True)

    def search_orders(
        self,
        location_ids: list[str],
        query: dict[str, Any],
        *,
        return_entries: bool = False,
    ) -> Iterator[dict[str, Any]]:
        """Pages of POST /v2/orders/search. A cursor is sent with the original query, never as null."""
        if not 0 < len(location_ids) <= MAX_LOCATIONS_PER_SEARCH:
            raise ValueError(f"SearchOrders takes 1..{MAX_LOCATIONS_PER_SEARCH} location ids")

        def fetch(cursor: str | None) -> dict[str, Any]:
            body: dict[str, Any] = {
                "location_ids": location_ids,
                "query": query,
                "limit": self.orders_page_limit,
            }
            if return_entries:
                body["return_entries"] = True
            if cursor:
                body["cursor"] = cursor
            return self.request("POST", "v2/orders/search", json=body)

        return self._pages(fetch)

    def list_pages(self, path: str, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """Pages of a GET list endpoint (payments, refunds, catalog, customers)."""

        def fetch(cursor: str | None) -> dict[str, Any]:
            return self.request("GET", path, params={**params, "cursor": cursor} if cursor else params)

        return self._pages(fetch)

    def list_locations(self) -> list[dict[str, Any]]:
        return self.request("GET", "v2/locations").get("locations") or []

    def location_ids(self) -> list[str]:
        """Ids of every location of the seller: the scope of each daily pull, check and change poll."""
        return [location["id"] for location in self.list_locations()]
