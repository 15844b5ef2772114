"""Session fixtures: per cap, one DRF oracle and one LocalBackend holding the same rows."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from synapse.testing import LocalBackend
from tests.conformance.servers import CAPS, Oracle, Pair, Server, seeded_local_backend


@pytest.fixture(scope="session")
def oracles() -> Iterator[dict[int, Server]]:
    """One oracle per cap, started together (they boot in parallel)."""
    started = {cap: Oracle(cap) for cap in CAPS}
    try:
        yield {cap: oracle.ready() for cap, oracle in started.items()}
    finally:
        for oracle in started.values():
            oracle.stop()


@pytest.fixture(scope="session")
def local_backends() -> Iterator[dict[int, LocalBackend]]:
    backends = {cap: seeded_local_backend(cap) for cap in CAPS}
    try:
        yield backends
    finally:
        for backend in backends.values():
            backend.stop()


@pytest.fixture(params=CAPS, ids=[f"cap{cap}" for cap in CAPS])
def pair(
    request: pytest.FixtureRequest, oracles: dict[int, Server], local_backends: dict[int, LocalBackend]
) -> Iterator[Pair]:
    cap: int = request.param
    backend = local_backends[cap]
    yield Pair(cap, oracles[cap], Server(backend.url), backend)
    assert backend.errors == [], backend.errors[-1]["traceback"]


@pytest.fixture
def pair100(oracles: dict[int, Server], local_backends: dict[int, LocalBackend]) -> Pair:
    """The cap-100 pair, for checks whose answer does not depend on the cap."""
    backend = local_backends[100]
    return Pair(100, oracles[100], Server(backend.url), backend)
