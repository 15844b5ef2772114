"""Fixtures for frames, partitions and dask: a session entered for the test, no SYNAPSE_* leaking in."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from synapse.testing import LocalBackend
from synapse.transport.session import Session


@pytest.fixture(autouse=True)
def _isolated(isolated: None) -> None:
    """No SYNAPSE_* settings from the shell, a private cache folder, no default session."""


@pytest.fixture
def session(backend: LocalBackend) -> Iterator[Session]:
    s = Session(backend.url, api_token=backend.token, backoff_factor=0.01)
    with s:
        yield s
    s.close()


@pytest.fixture
def each(synapse_backend_each: LocalBackend) -> Iterator[LocalBackend]:
    """The uncapped backend, then the one capping pages at 100, with a session entered for each."""
    s = Session(synapse_backend_each.url, api_token=synapse_backend_each.token, backoff_factor=0.01)
    with s:
        yield synapse_backend_each
    s.close()


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
