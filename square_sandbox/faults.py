"""Injected failures, so clients can prove they survive what Square does on a bad day."""

from __future__ import annotations

import dataclasses
import random
import threading

from square_sandbox.params import settings_from

RATE_KEYS = ("rate_limited", "server_error", "slow", "drop_connection", "invalid_cursor")


@dataclasses.dataclass
class FaultSettings:
    rate_limited: float = 0.0
    server_error: float = 0.0
    slow: float = 0.0
    slow_seconds: float = 2.0
    drop_connection: float = 0.0
    invalid_cursor: float = 0.0
    permanent_failure: bool = False
    retry_after_seconds: int = 1

    @classmethod
    def from_mapping(cls, values: dict) -> FaultSettings:
        settings = settings_from(cls, values, "fault")
        for key in RATE_KEYS:
            rate = getattr(settings, key)
            if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0.0 <= rate <= 1.0:
                raise ValueError(f"fault {key} must be a probability between 0 and 1, got {rate!r}")
        if not isinstance(settings.permanent_failure, bool):
            raise ValueError("fault permanent_failure must be true or false")
        if not isinstance(settings.slow_seconds, int | float) or settings.slow_seconds < 0:
            raise ValueError("fault slow_seconds must be a non-negative number")
        if not isinstance(settings.retry_after_seconds, int) or settings.retry_after_seconds < 0:
            raise ValueError("fault retry_after_seconds must be a non-negative integer")
        return settings

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


class Faults:
    def __init__(self, settings: FaultSettings | None = None, seed: int = 0) -> None:
        self.settings = settings or FaultSettings()
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    def replace(self, settings: FaultSettings) -> None:
        self.settings = settings

    def draw(self, has_cursor: bool) -> list[str]:
        """The faults that hit this request (``slow`` can combine with a normal answer)."""
        settings = self.settings
        if settings.permanent_failure:
            return ["permanent_failure"]
        with self._lock:
            rolls = {key: self._rng.random() for key in RATE_KEYS}
        hits = []
        if rolls["slow"] < settings.slow:
            hits.append("slow")
        for key in ("drop_connection", "rate_limited", "server_error"):
            if rolls[key] < getattr(settings, key):
                hits.append(key)
                return hits
        if has_cursor and rolls["invalid_cursor"] < settings.invalid_cursor:
            hits.append("invalid_cursor")
        return hits

    def coin(self) -> bool:
        """Half the server errors are 503 SERVICE_UNAVAILABLE, half 500 INTERNAL_SERVER_ERROR."""
        with self._lock:
            return self._rng.random() < 0.5
