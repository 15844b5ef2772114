"""Fixtures for the local backend's own tests: plain ``requests``, shaped like the official client."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from synapse.testing.server import LocalBackend

from ._api import TOKEN, Api


@pytest.fixture(scope="session")
def shared_backend() -> Iterator[LocalBackend]:
    backend = LocalBackend(token=TOKEN, job_duration=0.2)
    with backend:
        yield backend


@pytest.fixture
def backend(shared_backend: LocalBackend) -> Iterator[LocalBackend]:
    """The shared backend, emptied, with no faults; fails the test if a handler crashed."""
    shared_backend.faults.clear()
    shared_backend.reset()
    yield shared_backend
    shared_backend.faults.clear()
    assert shared_backend.errors == []


@pytest.fixture
def api(backend: LocalBackend) -> Iterator[Api]:
    client = Api(backend)
    yield client
    client.session.close()


@pytest.fixture
def sample(backend: LocalBackend) -> dict[str, Any]:
    return backend.seed_sample(tasks=30)
