"""Fixtures for frames, partitions and dask: a session entered for the test, no SYNAPSE_* leaking in."""

from __future__ import annotations

from collections.abc import Iterator

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
