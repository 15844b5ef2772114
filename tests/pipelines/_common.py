"""Helpers shared by the pipeline tests (plain functions; fixtures live in conftest.py)."""

from __future__ import annotations

from typing import Any

from synapse.testing import LocalBackend


def seed_tasks(backend: LocalBackend, n: int, **fields: Any) -> list[int]:
    """``n`` tasks in one new project, with a little of every column kind."""
    (pid,) = backend.seed("projects", [{"title": "p"}])
    rows = [
        {"project": pid, "data": {"i": i, "labels": ["a"] * (i % 3)}, "meta": {"batch": i // 100}, "tags": [], **fields}
        for i in range(n)
    ]
    return backend.seed("tasks", rows)


def requests_to(backend: LocalBackend, method: str, prefix: str) -> list[Any]:
    return [r for r in backend.requests if r.method == method and r.path.startswith(prefix)]
