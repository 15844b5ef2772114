"""Seeding and request-log queries the object-model tests share."""

from __future__ import annotations

from typing import Any

from synapse.testing import LocalBackend


def seed_tasks(backend: LocalBackend, project: int, n: int, **fields: Any) -> list[int]:
    return backend.seed("tasks", [{"project": project, "status": "pending", **fields} for _ in range(n)])


def requests_to(backend: LocalBackend, method: str, prefix: str) -> list[Any]:
    return [r for r in backend.requests if r.method == method and r.path.startswith(prefix)]
