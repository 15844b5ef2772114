"""pytest plugin (entry point ``synapse``): fixtures that hand a test a running LocalBackend.

- ``synapse_backend``: the uncapped backend (``max_page_size=1000``, like the default server).
- ``synapse_backend_capped``: the same with ``max_page_size=100`` (``CAPPED_MAX_PAGE_SIZE``), as a
  real deployment may configure it: a client that asks for ``page_size=1000`` gets pages of 100
  whose ``next`` links still say ``page_size=1000``.
- ``synapse_backend_each``: parametrized over both, so one test runs against each.

One backend of each kind is started per session, lazily; each test gets it reset (no data, no log,
no faults). At teardown the test FAILS if the backend logged a server error (an unhandled exception
answered as 500) during it, with each route and traceback in the message. Injected faults are not
server errors, so tests that inject 5xx answers on purpose are unaffected.

Loaded by every pytest run, so importing this module imports neither werkzeug nor the backend.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from synapse.testing.server import LocalBackend

#: ``max_page_size`` of ``synapse_backend_capped``.
CAPPED_MAX_PAGE_SIZE = 100


def _started(max_page_size: int) -> Iterator[LocalBackend]:
    from synapse.testing.server import LocalBackend

    backend = LocalBackend(job_duration=0.2, max_page_size=max_page_size)
    backend.start()
    try:
        yield backend
    finally:
        backend.stop()


def _for_one_test(backend: LocalBackend) -> Iterator[LocalBackend]:
    """Reset before the test; fail it at teardown if the backend had a server error meanwhile."""
    backend.faults.clear()
    backend.reset()
    yield backend
    backend.faults.clear()
    errors = backend.errors
    if errors:
        report = "\n".join(f"{e['method']} {e['path']}: {e['error']}\n{e['traceback']}" for e in errors)
        pytest.fail(f"LocalBackend logged {len(errors)} server error(s) during this test:\n{report}", pytrace=False)


@pytest.fixture(scope="session")
def synapse_backend_session() -> Iterator[LocalBackend]:
    """The session-wide uncapped backend (started lazily, on first use)."""
    yield from _started(1000)


@pytest.fixture(scope="session")
def synapse_backend_capped_session() -> Iterator[LocalBackend]:
    """The session-wide backend with ``max_page_size=CAPPED_MAX_PAGE_SIZE``."""
    yield from _started(CAPPED_MAX_PAGE_SIZE)


@pytest.fixture
def synapse_backend(synapse_backend_session: LocalBackend) -> Iterator[LocalBackend]:
    """A running local backend, emptied and with no faults, for this test."""
    yield from _for_one_test(synapse_backend_session)


@pytest.fixture
def synapse_backend_capped(synapse_backend_capped_session: LocalBackend) -> Iterator[LocalBackend]:
    """Like ``synapse_backend``, but pages are capped at ``CAPPED_MAX_PAGE_SIZE`` items."""
    yield from _for_one_test(synapse_backend_capped_session)


@pytest.fixture(params=["uncapped", "capped"])
def synapse_backend_each(request: pytest.FixtureRequest) -> LocalBackend:
    """``synapse_backend`` and ``synapse_backend_capped`` in turn (the test runs twice)."""
    name = "synapse_backend" if request.param == "uncapped" else "synapse_backend_capped"
    backend: LocalBackend = request.getfixturevalue(name)
    return backend
