"""The simulated "now" the sandbox answers as of."""

from __future__ import annotations

import threading
import time

from square_sandbox.timeutil import US_PER_SECOND


class Clock:
    """Follows real time unless set; once set (at start or by the admin endpoint) it stands still until moved."""

    def __init__(self, fixed_us: int | None = None) -> None:
        self._fixed = fixed_us
        self._lock = threading.Lock()

    def now(self) -> int:
        fixed = self._fixed
        if fixed is not None:
            return fixed
        return int(time.time() * 1000) * 1000

    def set(self, us: int) -> int:
        with self._lock:
            self._fixed = us
            return us

    def advance(self, seconds: float) -> int:
        with self._lock:
            self._fixed = self.now() + int(seconds * US_PER_SECOND)
            return self._fixed
