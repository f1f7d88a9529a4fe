"""What an alert says: one shape for every kind of problem, rendered once as Markdown for every destination.

The on-call person reads an alert on a phone before opening anything, so it names the code location, the asset or
check, the partition, what failed, the key figures and a link straight to the run in the Dagster UI.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import quote

from data_platform.redaction import redact

MAX_FIGURES = 12
MAX_TEXT = 600


class Severity(StrEnum):
    ERROR = "ERROR"
    WARN = "WARN"
    RECOVERED = "RECOVERED"


@dataclass(frozen=True)
class Alert:
    severity: Severity
    headline: str  # e.g. "Check failed: square/raw/orders · duplicate_ids"
    code_location: str
    subject: str  # the asset, "asset · check", or the job
    what_failed: str
    partition: str | None = None
    figures: Mapping[str, str] = field(default_factory=dict)
    link: str | None = None
    dedup_key: str | None = None  # stable identity, used in logs

    @property
    def title(self) -> str:
        return redact(f"[{self.severity.value}] {self.headline}")

    def markdown(self) -> str:
        lines = [
            f"- **Code location:** {self.code_location}",
            f"- **What:** {self.subject}",
            f"- **Partition:** {self.partition or '(not partitioned)'}",
            f"- **Severity:** {self.severity.value}",
            f"- **What failed:** {_clip(self.what_failed)}",
        ]
        for name, value in list(self.figures.items())[:MAX_FIGURES]:
            lines.append(f"- **{name}:** {_clip(value, 200)}")
        if self.link:
            lines.append("")
            lines.append(f"[Open in Dagster]({self.link})")
        # Redact last, over everything: metadata and error messages come from code we do not control.
        return redact("\n".join(lines))


def _clip(text: str, limit: int = MAX_TEXT) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def run_link(ui_base_url: str, run_id: str) -> str:
    return f"{ui_base_url.rstrip('/')}/runs/{run_id}"


def asset_link(ui_base_url: str, asset_path: list[str], check_name: str | None = None) -> str:
    path = "/".join(quote(part, safe="") for part in asset_path)
    link = f"{ui_base_url.rstrip('/')}/assets/{path}"
    return f"{link}?view=checks&checkDetail={quote(check_name, safe='')}" if check_name else link
