"""One live object per (resource class, id), with a bounded freshness window.

Two structures work together:

* a ``WeakValueDictionary`` gives identity: while the caller holds an object, every
  lookup of the same id returns that same object;
* a ``cachetools.TTLCache`` holds strong references to recently loaded objects and
  answers "is this fresh enough to skip a request?". It is bounded by ``maxsize``, so
  walking a million rows keeps memory flat.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Hashable
from typing import Any

from cachetools import TTLCache

Key = tuple[type, Hashable]


class IdentityMap:
    """Thread-safe registry of live resources for one session."""

    def __init__(self, ttl: float = 60.0, maxsize: int = 4096) -> None:
        self.ttl = ttl
        self.maxsize = maxsize
        self._lock = threading.RLock()
        self._live: weakref.WeakValueDictionary[Key, Any] = weakref.WeakValueDictionary()
        self._fresh: TTLCache[Key, Any] | None = TTLCache(maxsize, ttl) if ttl > 0 and maxsize > 0 else None

    def live(self, cls: type, pk: Hashable) -> Any | None:
        """The object for this id if anyone still holds it, fresh or not."""
        with self._lock:
            return self._live.get((cls, pk))

    def fresh(self, cls: type, pk: Hashable) -> Any | None:
        """The object for this id if it was loaded within the TTL."""
        if self._fresh is None:
            return None
        with self._lock:
            return self._fresh.get((cls, pk))

    def add(self, cls: type, pk: Hashable, obj: Any) -> None:
        """Register ``obj`` as the live object for this id and mark it fresh."""
        key = (cls, pk)
        with self._lock:
            self._live[key] = obj
            if self._fresh is not None:
                self._fresh[key] = obj

    def claim(self, cls: type, pk: Hashable, obj: Any) -> Any:
        """Register ``obj`` unless another thread already did for this id; return the winner.

        The check and the insert happen under one lock, so two threads loading the same id
        at once still end up sharing one object.
        """
        key = (cls, pk)
        with self._lock:
            winner = self._live.get(key)
            if winner is None:
                winner = obj
                self._live[key] = obj
            if self._fresh is not None:
                self._fresh[key] = winner
            return winner

    def expire(self, cls: type, pk: Hashable) -> None:
        """Forget that this id is fresh; identity is kept."""
        if self._fresh is None:
            return
        with self._lock:
            self._fresh.pop((cls, pk), None)

    def discard(self, cls: type, pk: Hashable) -> None:
        """Drop this id entirely (after a delete)."""
        key = (cls, pk)
        with self._lock:
            self._live.pop(key, None)
            if self._fresh is not None:
                self._fresh.pop(key, None)

    def expire_all(self) -> None:
        """Make every cached object stale, so the next ``get`` sends a request."""
        if self._fresh is None:
            return
        with self._lock:
            self._fresh.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._live)
