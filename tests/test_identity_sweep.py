"""The identity map's weak registry: dead entries are dropped, and the dict stays bounded."""

from __future__ import annotations

import gc
from typing import Any

from synapse.orm.identity import IdentityMap


class Thing:
    pass


def test_identity_holds_while_alive_and_forgets_after() -> None:
    identity: IdentityMap[Any] = IdentityMap(ttl=0)
    obj = Thing()
    assert identity.claim(Thing, 1, obj) is None  # registered
    assert identity.claim(Thing, 1, Thing()) is obj  # the first one wins while alive
    assert identity.live(Thing, 1) is obj and len(identity) == 1
    del obj
    gc.collect()
    assert identity.live(Thing, 1) is None and len(identity) == 0
    fresh = Thing()
    assert identity.claim(Thing, 1, fresh) is None and identity.live(Thing, 1) is fresh


def test_dead_entries_are_swept_so_memory_stays_flat() -> None:
    identity: IdentityMap[Any] = IdentityMap(ttl=0)
    kept = []
    for pk in range(100_000):
        obj = Thing()
        identity.claim(Thing, pk, obj)
        if pk % 1000 == 0:
            kept.append(obj)
    del obj
    assert len(identity) == len(kept) == 100
    assert identity.entries() <= 2 * 1024 + 1  # swept whenever it doubles past the live count
    assert all(identity.live(Thing, pk * 1000) is obj for pk, obj in enumerate(kept))


def test_pinned_objects_are_bounded_and_kept_alive() -> None:
    identity: IdentityMap[Any] = IdentityMap(ttl=60, maxsize=10)
    for pk in range(50):
        identity.claim(Thing, pk, Thing(), pin=True)
    gc.collect()
    assert len(identity) == 10  # only the newest pins keep their objects alive
    assert identity.live(Thing, 49) is not None and identity.live(Thing, 0) is None
