"""Fixtures for the reliability suite: a backend with a distinctive token, a foreign host, fast sessions.

Sessions here use tiny backoffs and timeouts so faults cost milliseconds, not the production
defaults' seconds; the behaviour under test (what is retried, what raises) is the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from synapse.testing import LocalBackend
from synapse.transport.session import Session

from ._common import FAST, FOREIGN_TOKEN, TOKEN
from .hostile_server import Handler, HostileServer


@pytest.fixture(scope="session")
def _server() -> Iterator[LocalBackend]:
    with LocalBackend(token=TOKEN, job_duration=0.2) as server:
        yield server


@pytest.fixture(scope="session")
def _foreign_server() -> Iterator[LocalBackend]:
    with LocalBackend(token=FOREIGN_TOKEN) as server:
        yield server


@pytest.fixture
def backend(_server: LocalBackend) -> Iterator[LocalBackend]:
    _server.faults.clear()
    _server.faults.seed(0)
    _server.reset()
    yield _server
    _server.faults.clear()


@pytest.fixture
def foreign(_foreign_server: LocalBackend) -> LocalBackend:
    """Another host on another port, playing a server that must never see our credentials."""
    _foreign_server.faults.clear()
    _foreign_server.reset()
    return _foreign_server


@pytest.fixture
def hostile() -> Iterator[Callable[[Handler], HostileServer]]:
    """Start hand-written hostile HTTP servers on loopback; all closed at the end."""
    servers: list[HostileServer] = []

    def start(handler: Handler) -> HostileServer:
        servers.append(HostileServer(handler))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


@pytest.fixture(autouse=True)
def _isolated(isolated: None) -> None:
    """Every test here runs without SYNAPSE_* settings, with a private cache and no default session."""


@pytest.fixture
def make_session(backend: LocalBackend) -> Iterator[Callable[..., Session]]:
    """Build fast sessions on the backend (``FAST`` settings, overridable); all closed at the end."""
    made: list[Session] = []

    def make(**options: Any) -> Session:
        session = Session(backend.url, api_token=TOKEN, **{**FAST, **options})
        made.append(session)
        return session

    yield make
    for session in made:
        session.close()


@pytest.fixture
def session(make_session: Callable[..., Session]) -> Iterator[Session]:
    with make_session() as s:
        yield s
