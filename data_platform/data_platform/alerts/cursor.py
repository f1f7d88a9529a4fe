"""The cursor of the check and stale sensors: where reading stopped, and what is failing right now.

Pure: it is given the positions of the events read and the time, and never touches an instance.

The position is an event timestamp, not a storage id: the default SQLite instance keeps check evaluations in one
database per run, whose ids are not comparable across runs. Events in the last OVERLAP_SECONDS are re-read on the
next tick and skipped by identity, so none is lost or handled twice.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

OVERLAP_SECONDS = 5.0


@dataclass(frozen=True)
class EventCursor:
    after_timestamp: float | None = None
    seen: Mapping[str, float] = field(default_factory=dict)  # event identity -> timestamp, within the overlap
    failing: Mapping[str, str] = field(default_factory=dict)  # alert key -> severity or freshness state

    @classmethod
    def parse(cls, raw: str | None) -> EventCursor:
        if not raw:
            return cls()
        data = json.loads(raw)
        return cls(data.get("after_timestamp"), dict(data.get("seen", {})), dict(data.get("failing", {})))

    def dump(self) -> str:
        return json.dumps(
            {"after_timestamp": self.after_timestamp, "seen": dict(self.seen), "failing": dict(self.failing)},
            sort_keys=True,
        )

    def read_after(self, now: float, lookback_hours: int) -> float:
        """The timestamp to read events after. First tick: a bounded window back, not the whole history."""
        start = self.after_timestamp if self.after_timestamp is not None else now - lookback_hours * 3600
        return start - OVERLAP_SECONDS

    def is_new(self, identity: str) -> bool:
        return identity not in self.seen

    def advanced(
        self, read: Iterable[tuple[str, float]], failing: Mapping[str, str], now: float
    ) -> EventCursor:
        """The cursor after handling the events at ``read`` (identity, timestamp), with ``failing`` as the state."""
        read = dict(read)
        after = self.after_timestamp if self.after_timestamp is not None else now - OVERLAP_SECONDS
        if read:
            after = max(after, max(read.values()))
        seen = {**self.seen, **read}
        recent = {identity: t for identity, t in seen.items() if t > after - 2 * OVERLAP_SECONDS}
        return EventCursor(after, recent, dict(failing))
