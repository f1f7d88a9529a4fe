"""Scrub secrets from any text that may reach a log, an error message, run metadata or an alert."""

from __future__ import annotations

import os
import re

# Environment variables whose values are secrets. Their current values are scrubbed verbatim.
SECRET_VARIABLES = (
    "SQUARE_ACCESS_TOKEN",
    "AZURE_STORAGE_CONNECTION_STRING",
    "AZURE_STORAGE_ACCOUNT_KEY",
    "AZURE_STORAGE_SAS_TOKEN",
    "AZURE_CLIENT_SECRET",
    "TEAMS_WEBHOOK_URL",
    "NTFY_TOKEN",
    "SMTP_PASSWORD",
    "DAGSTER_POSTGRES_PASSWORD",
)

# Shapes of secrets that may appear even when they did not come from our own variables.
_PATTERNS = (
    (re.compile(r"(AccountKey=)[^;\s'\"]+", re.I), r"\1***"),
    (re.compile(r"(SharedAccessSignature=)[^;\s'\"]+", re.I), r"\1***"),
    (re.compile(r"([?&]sig=)[^&\s'\"]+", re.I), r"\1***"),
    (re.compile(r"(Bearer\s+)[A-Za-z0-9._~+/=-]+", re.I), r"\1***"),
    (re.compile(r"(://[^:/\s]+:)[^@/\s]+(@)"), r"\1***\2"),
)


def redact(text: str) -> str:
    for name in SECRET_VARIABLES:
        value = os.environ.get(name)
        if value and len(value) >= 4:
            text = text.replace(value, "***")
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text
