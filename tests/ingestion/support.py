"""Helpers shared by the ingestion tests (no fixtures here)."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq

from data_platform.resources.lake import LakeResource
from square_sales.ingestion.client import RetryPolicy, SquareApi


def fast_api(handle, max_total_seconds: float = 60.0, page_limit: int | None = None) -> SquareApi:
    """A client for the sandbox with short backoff steps (Retry-After is still honoured); small pages on demand
    so that a small chain still needs cursors."""
    limits = {"orders_page_limit": page_limit, "list_page_limit": page_limit} if page_limit else {}
    return SquareApi(
        handle.base_url,
        handle.token,
        timeout_seconds=10,
        retry=RetryPolicy(
            max_total_seconds=max_total_seconds, base_delay_seconds=0.02, max_delay_seconds=0.2
        ),
        **limits,
    )


def read_partition(lake: LakeResource, relative: str) -> pa.Table:
    return pq.read_table(io.BytesIO(lake.read_bytes(relative)))


def day_bounds(day: dt.date, timezone: str) -> tuple[dt.datetime, dt.datetime]:
    """Midnight to midnight in ``timezone`` (computed here, independently of the code under test)."""
    zone = ZoneInfo(timezone)
    start = dt.datetime(day.year, day.month, day.day, tzinfo=zone)
    following = day + dt.timedelta(days=1)
    return start, dt.datetime(following.year, following.month, following.day, tzinfo=zone)


def error_text(error) -> str:
    """The whole chain of a Dagster serializable error: class names, messages and stacks."""
    parts = []
    while error is not None:
        parts += [error.cls_name or "", error.message, *error.stack]
        error = error.cause or error.context
    return "\n".join(parts)
