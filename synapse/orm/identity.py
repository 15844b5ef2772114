"""One live object per (resource class, id), with a bounded freshness window.

Two structures work together:

* a dict of weak references gives identity: while the caller holds an object, every
  lookup of the same id returns that same object. Entries whose object died are dropped
  when found and swept in bulk whenever the dict doubles, instead of by a per-object
  callback (``WeakValueDictionary`` builds a ``KeyedRef`` in Python for every insert);
* a ``cachetools.LRUCache`` of ``key -> (deadline, object)`` holds strong references to
  recently loaded objects and answers "is this fresh enough to skip a request?". It is
  bounded by ``maxsize`` (the least recently used entry goes first), so walking a million
  rows keeps memory flat. The deadline is stored with the entry instead of using
  ``TTLCache``, whose per-insert timer bookkeeping costs twice as much and list iteration
  registers every row.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Hashable
from typing import TYPE_CHECKING, Any

from cachetools import LRUCache

if TYPE_CHECKING:
    from ..transport.session import Session

Key = tuple[type, Hashable]
_MIN_SWEEP = 1024


class IdentityMap:
    """Thread-safe registry of live resources for one session."""

    def __init__(self, ttl: float = 60.0, maxsize: int = 4096) -> None:
        self.ttl = ttl
        self.maxsize = maxsize
        self._lock = threading.RLock()
        self._live: dict[Key, weakref.ref[Any]] = {}
        self._sweep_at = _MIN_SWEEP
        self._fresh: LRUCache[Key, tuple[float, Any]] | None = LRUCache(maxsize) if ttl > 0 and maxsize > 0 else None

    def live(self, cls: type, pk: Hashable) -> Any | None:
        """The object for this id if anyone still holds it, fresh or not."""
        with self._lock:
            return self._get_live((cls, pk))

    def _get_live(self, key: Key) -> Any | None:
        ref = self._live.get(key)
        if ref is None:
            return None
        obj = ref()
        if obj is None:
            del self._live[key]
        return obj

    def _set_live(self, key: Key, obj: Any) -> None:
        self._live[key] = weakref.ref(obj)
        if len(self._live) > self._sweep_at:
            self._live = {k: ref for k, ref in self._live.items() if ref() is not None}
            self._sweep_at = max(_MIN_SWEEP, 2 * len(self._live))

    def fresh(self, cls: type, pk: Hashable) -> Any | None:
        """The object for this id if it was loaded within the TTL."""
        if self._fresh is None:
            return None
        key = (cls, pk)
        with self._lock:
            entry = self._fresh.get(key)
            if entry is None:
                return None
            if entry[0] <= time.monotonic():
                del self._fresh[key]
                return None
            return entry[1]

    def add(self, cls: type, pk: Hashable, obj: Any) -> None:
        """Register ``obj`` as the live object for this id and mark it fresh."""
        key = (cls, pk)
        with self._lock:
            self._set_live(key, obj)
            if self._fresh is not None:
                self._fresh[key] = (time.monotonic() + self.ttl, obj)

    def claim(self, cls: type, pk: Hashable, obj: Any) -> Any:
        """Register ``obj`` unless another thread already did for this id; return the winner.

        The check and the insert happen under one lock, so two threads loading the same id
        at once still end up sharing one object.
        """
        key = (cls, pk)
        with self._lock:
            winner = self._get_live(key)
            if winner is None:
                winner = obj
                self._set_live(key, obj)
            if self._fresh is not None:
                self._fresh[key] = (time.monotonic() + self.ttl, winner)
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
        """How many objects are alive and registered."""
        with self._lock:
            return sum(1 for ref in self._live.values() if ref() is not None)


def identity_map(session: Session) -> IdentityMap:
    """The session's identity map, made with its ``cache_ttl`` and ``cache_maxsize`` on first use."""
    found: IdentityMap = session.cache("identity", _new_map)
    return found


def _new_map(session: Session) -> IdentityMap:
    return IdentityMap(ttl=session.cache_ttl, maxsize=session.cache_maxsize)
