"""One live object per (family, id) and session, and when it is fresh enough to skip a request.

* Identity: a dict of weak references per family. While the caller holds an object, every load
  of the same id returns that object (its fields updated in place). Dead entries are swept in
  bulk whenever a family's dict doubles, instead of by a per-object callback.
* Freshness: a deadline carried by the object itself (``state.fresh_until``), set whenever an
  answer about it arrives, plus a generation number so :meth:`IdentityMap.expire_all` is O(1).
  Listing a million rows therefore keeps nothing alive that the caller dropped.
* A small strong LRU keeps objects fetched by ``get()`` (and relation lookups) alive for their
  freshness window, so ``task.project`` across a page of tasks costs one request even when no
  task holds the project. List rows never enter it.
"""

from __future__ import annotations

import itertools
import threading
import time
import weakref
from collections.abc import Hashable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from cachetools import LRUCache

from ._state import peek, state_of

if TYPE_CHECKING:
    from ..transport.session import Session
    from .resource import Resource

R = TypeVar("R", bound="Resource")
Key = tuple[type, Hashable]
_MIN_SWEEP = 1024


class _Family(dict[Hashable, "weakref.ref[Any]"]):
    """One family's weak references by id, and the size at which dead ones are swept next."""

    sweep_at = _MIN_SWEEP

    def sweep(self) -> None:
        dead = [pk for pk, ref in self.items() if ref() is None]
        for pk in dead:
            del self[pk]
        self.sweep_at = max(_MIN_SWEEP, 2 * len(self))


class IdentityMap(Generic[R]):
    """Thread-safe registry of the live resources of one session."""

    def __init__(self, ttl: float = 60.0, maxsize: int = 4096) -> None:
        self.ttl = ttl
        self.generation = 0
        self._lock = threading.Lock()
        self._live: dict[type, _Family] = {}
        self._pinned: LRUCache[Key, R] | None = LRUCache(maxsize) if ttl > 0 and maxsize > 0 else None
        self.clock = itertools.count(1).__next__
        """Ticks once per answer; an object ignores answers older than the last one it applied."""

    def deadline(self) -> float:
        """The ``fresh_until`` to give an object an answer just arrived for."""
        return time.monotonic() + self.ttl if self.ttl > 0 else 0.0

    def is_fresh(self, obj: Resource) -> bool:
        state = peek(obj)
        if state is None:
            return False
        return state.generation == self.generation and state.fresh_until > time.monotonic()

    def live(self, cls: type[R], pk: Hashable) -> R | None:
        """The object for this id if anyone still holds it, fresh or not."""
        with self._lock:
            return self._get(cls, pk)

    def fresh(self, cls: type[R], pk: Hashable) -> R | None:
        """The object for this id if it is alive and its last answer is within the TTL."""
        found = self.live(cls, pk)
        return found if found is not None and self.is_fresh(found) else None

    def claim(self, cls: type[R], pk: Hashable, obj: R, *, pin: bool = False) -> R | None:
        """Register ``obj`` for this id unless a live object already has it; return that one, else None.

        The check and the insert happen under one lock, so two threads loading the same id at
        once still end up sharing one object. ``pin`` keeps it alive in the LRU (``get()``).
        """
        with self._lock:
            winner = self._get(cls, pk)
            if winner is None:
                self._set(cls, pk, obj)
            if pin and self._pinned is not None:
                self._pinned[(cls, pk)] = winner if winner is not None else obj
            return winner

    def claim_many(self, cls: type[R], objects: list[R], ids: list[Hashable]) -> dict[int, R]:
        """:meth:`claim` for a page of new objects (``ids[i]`` is the id of ``objects[i]``) under one lock.

        Returns, by position, the live objects that already held some of these ids (usually none).
        This is the hot path of iterating a listing: the common case (no id seen before, or only
        dead entries) runs as one bulk dict update.
        """
        taken: dict[int, R] = {}
        with self._lock:
            family = self._family(cls)
            seen = family.keys() & ids
            live = {pk: holder for pk in seen if (holder := family[pk]()) is not None}
            family.update(zip(ids, map(weakref.ref, objects), strict=True))
            if live:
                for index, pk in enumerate(ids):
                    holder = live.get(pk)
                    if holder is not None:
                        taken[index] = holder
                        family[pk] = weakref.ref(holder)
            if len(family) > family.sweep_at:
                family.sweep()
        return taken

    def pin(self, cls: type[R], pk: Hashable, obj: R) -> None:
        if self._pinned is not None:
            with self._lock:
                self._pinned[(cls, pk)] = obj

    def expire(self, cls: type[R], pk: Hashable) -> None:
        """Make this id stale (the server changed it behind our back); identity is kept."""
        with self._lock:
            obj = self._get(cls, pk)
            if self._pinned is not None:
                self._pinned.pop((cls, pk), None)
        if obj is not None:
            state_of(obj).fresh_until = 0.0

    def discard(self, cls: type[R], pk: Hashable) -> None:
        """Forget this id entirely (after a delete)."""
        with self._lock:
            self._family(cls).pop(pk, None)
            if self._pinned is not None:
                self._pinned.pop((cls, pk), None)

    def expire_all(self) -> None:
        """Make every object stale, so the next ``get`` of any id sends a request."""
        with self._lock:
            self.generation += 1
            if self._pinned is not None:
                self._pinned.clear()

    def __len__(self) -> int:
        """How many objects are alive and registered."""
        with self._lock:
            return sum(1 for family in self._live.values() for ref in family.values() if ref() is not None)

    def entries(self) -> int:
        """How many weak references are stored, dead ones not yet swept included."""
        with self._lock:
            return sum(len(family) for family in self._live.values())

    def _family(self, cls: type) -> _Family:
        family = self._live.get(cls)
        if family is None:
            family = self._live[cls] = _Family()
        return family

    def _get(self, cls: type, pk: Hashable) -> R | None:
        family = self._live.get(cls)
        ref = family.get(pk) if family is not None else None
        if ref is None:
            return None
        obj: R | None = ref()
        if obj is None:
            del family[pk]  # type: ignore[union-attr]
        return obj

    def _set(self, cls: type, pk: Hashable, obj: R) -> None:
        family = self._family(cls)
        family[pk] = weakref.ref(obj)
        if len(family) > family.sweep_at:
            family.sweep()


def identity_map(session: Session) -> IdentityMap[Resource]:
    """The session's identity map, made with its ``cache_ttl`` and ``cache_maxsize`` on first use."""
    found: IdentityMap[Resource] = session.cache("identity", _new_map)
    return found


def _new_map(session: Session) -> IdentityMap[Resource]:
    return IdentityMap(ttl=session.cache_ttl, maxsize=session.cache_maxsize)
