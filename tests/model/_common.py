"""Seeding, stored rows and request-log queries the object-model tests share."""

from __future__ import annotations

from typing import Any

from synapse.orm import Resource
from synapse.testing import LocalBackend


def seed_tasks(backend: LocalBackend, project: Resource | int, n: int, **fields: Any) -> list[int]:
    """``n`` pending tasks of the project (an object or an id), created in the backend directly."""
    pid = project if isinstance(project, int) else id_of(project)
    return backend.seed("tasks", [{"project": pid, "status": "pending", **fields} for _ in range(n)])


def requests_to(backend: LocalBackend, method: str, prefix: str) -> list[Any]:
    return [r for r in backend.requests if r.method == method and r.path.startswith(prefix)]


def id_of(obj: Resource) -> int:
    """The int id of a saved object, the key of the backend's store."""
    assert isinstance(obj.id, int), f"expected a saved object with an int id, got {obj!r}"
    return obj.id


def stored(backend: LocalBackend, kind: str, obj: Resource | int) -> dict[str, Any]:
    """The row the backend stores for an object (or an id); fails the test if there is none."""
    pk = obj if isinstance(obj, int) else id_of(obj)
    row = backend.get(kind, pk)
    assert row is not None, f"the backend stores no {kind} {pk}"
    return row
