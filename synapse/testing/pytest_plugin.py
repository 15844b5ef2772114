"""pytest plugin (entry point ``synapse``): the ``synapse_backend`` fixture.

One LocalBackend is started per session; each test gets it reset (no data, no log, no faults).
Loaded by every pytest run, so importing this module imports neither werkzeug nor the backend.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from synapse.testing.server import LocalBackend


@pytest.fixture(scope="session")
def synapse_backend_session() -> Iterator[LocalBackend]:
    """The session-wide backend (started lazily, on first use)."""
    from synapse.testing.server import LocalBackend

    backend = LocalBackend(job_duration=0.2)
    backend.start()
    try:
        yield backend
    finally:
        backend.stop()


@pytest.fixture
def synapse_backend(synapse_backend_session: LocalBackend) -> LocalBackend:
    """A running local backend, emptied and with no faults, for this test."""
    synapse_backend_session.faults.clear()
    synapse_backend_session.reset()
    return synapse_backend_session
