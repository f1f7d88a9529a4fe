"""The Square resource of the domain: configuration only, so defining it costs no import of the Square SDK.

The token comes from ``EnvVar("SQUARE_ACCESS_TOKEN")``: resolved in the run (or sensor) process, never in run config,
metadata or logs. ``open()`` builds the HTTP client (``square_sales.ingestion.client``) when a run needs it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from dagster import ConfigurableResource
from pydantic import Field

if TYPE_CHECKING:
    from square_sales.ingestion.client import SquareApi


class SquareClientResource(ConfigurableResource):
    """Square API access for the ingestion. The token comes from ``EnvVar("SQUARE_ACCESS_TOKEN")``."""

    base_url: str = Field(description="Square API base URL (SQUARE_BASE_URL / SQUARE_ENVIRONMENT).")
    access_token: str = Field(description="Secret: pass EnvVar('SQUARE_ACCESS_TOKEN'), never a literal.")
    request_timeout_seconds: float = Field(default=30.0, description="Timeout of one HTTP request.")
    retry_max_seconds: float = Field(
        default=300.0, description="Total time one call may spend retrying before the run fails."
    )

    @contextlib.contextmanager
    def open(self, log: Any = None) -> Iterator[SquareApi]:
        """The client; ``log`` (a run's or sensor's ``context.log``) receives paging progress."""
        from square_sales.ingestion.client import RetryPolicy, SquareApi

        api = SquareApi(
            self.base_url,
            self.access_token,
            timeout_seconds=self.request_timeout_seconds,
            retry=RetryPolicy(max_total_seconds=self.retry_max_seconds),
            log=log,
        )
        try:
            yield api
        finally:
            api.close()
