"""Helpers shared by the raw-layer checks: which days a check evaluates and how its figures are shown."""

from __future__ import annotations

from datetime import date

from dagster import AssetCheckExecutionContext, MetadataValue

SAMPLE = 5  # ids or findings quoted in a check's description


def check_days(context: AssetCheckExecutionContext) -> list[date]:
    """The business days of the run evaluating a partitioned check (one day, or every day of a range)."""
    return [date.fromisoformat(key) for key in context.partition_keys]


def days_text(days: list[date]) -> str:
    return days[0].isoformat() if len(days) == 1 else f"{days[0]}...{days[-1]} ({len(days)} days)"


def md_table(header: list[str], rows: list[tuple]) -> MetadataValue:
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in rows]
    return MetadataValue.md("\n".join(lines))
