"""A thread-safe LRU cache bounded by entries and, optionally, by the weight (approximate bytes) it holds."""

from __future__ import annotations

import collections
import threading
from collections.abc import Callable


class BoundedCache:
    """Memory stays flat however long the history is: at most ``capacity`` entries and, with ``weigh``, at
    most ``max_weight`` in total (the least recently used go first; the newest entry always stays)."""

    def __init__(
        self, capacity: int, max_weight: int | None = None, weigh: Callable[[object], int] | None = None
    ) -> None:
        self.capacity = capacity
        self.max_weight = max_weight
        self._weigh = weigh
        self._items: collections.OrderedDict = collections.OrderedDict()
        self._weights: dict = {}
        self.weight = 0
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        weight = self._weigh(value) if self._weigh else 0
        with self._lock:
            self.weight += weight - self._weights.get(key, 0)
            self._items[key] = value
            self._weights[key] = weight
            self._items.move_to_end(key)
            while len(self._items) > self.capacity or (
                self.max_weight is not None and self.weight > self.max_weight and len(self._items) > 1
            ):
                oldest, _ = self._items.popitem(last=False)
                self.weight -= self._weights.pop(oldest)

    def __len__(self) -> int:
        return len(self._items)
