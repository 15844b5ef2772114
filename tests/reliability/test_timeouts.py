"""Servers that hang or answer too slowly: every call ends, typed, within its time budget.

Budget of one call: ``attempts * (connect + read)`` plus the backoff between attempts, and
reading one answer is capped by ``total`` however slowly its bytes arrive.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

import pytest

from synapse import Project
from synapse.errors import APIConnectionError, APITimeoutError, ResponseIncompleteError
from synapse.testing import LocalBackend
from synapse.transport.session import Session

READ = 0.5
TOTAL = 2.0
SLACK = 0.6


@pytest.mark.slow
def test_hanging_get_gives_up_after_its_retries(backend: LocalBackend, make_session: Callable[..., Session]) -> None:
    pk = backend.seed("projects", [{"name": "slow"}])[0]
    backend.faults.add("projects/*", method="GET", status=None, delay=3, times=None)
    session = make_session(max_retries=2)
    started = time.monotonic()
    with pytest.raises(APITimeoutError, match="read timeout"):
        Project.get(pk, session=session)
    elapsed = time.monotonic() - started
    assert 3 * READ <= elapsed < 3 * READ + SLACK
    assert session.request_count == 3


def test_hanging_post_is_not_retried(backend: LocalBackend, make_session: Callable[..., Session]) -> None:
    backend.faults.add("projects/", method="POST", status=None, delay=3, times=None)
    session = make_session(max_retries=5)
    started = time.monotonic()
    with pytest.raises(ResponseIncompleteError, match="may have applied"):
        Project.create(name="maybe", session=session)
    assert time.monotonic() - started < READ + SLACK
    assert session.request_count == 1


@pytest.mark.slow
def test_slow_drip_answer_is_cut_at_the_total_timeout(
    backend: LocalBackend, make_session: Callable[..., Session]
) -> None:
    """Each byte arrives well within the read timeout, so only the total deadline can stop it."""
    pk = backend.seed("projects", [{"name": "drip" * 40}])[0]
    backend.faults.add("projects/*", method="GET", status=None, drip=0.05, times=None)
    session = make_session()
    started = time.monotonic()
    with pytest.raises(APITimeoutError, match="longer than 2s"):
        Project.get(pk, session=session)
    elapsed = time.monotonic() - started
    assert TOTAL <= elapsed < TOTAL + SLACK


@pytest.mark.slow
def test_slow_drip_page_is_cut_at_the_total_timeout(
    backend: LocalBackend, make_session: Callable[..., Session]
) -> None:
    backend.seed("projects", [{"name": f"p{n}"} for n in range(20)])
    backend.faults.add("projects/", method="GET", status=None, drip=0.02, times=None)
    started = time.monotonic()
    with pytest.raises(APITimeoutError):
        list(Project.using(make_session()))
    assert time.monotonic() - started < TOTAL + SLACK


def test_a_drip_within_the_total_timeout_is_read_whole(
    backend: LocalBackend, make_session: Callable[..., Session]
) -> None:
    pk = backend.seed("projects", [{"name": "ok"}])[0]
    backend.faults.add("projects/*", method="GET", status=None, drip=0.001, times=1)
    project = Project.get(pk, session=make_session())
    assert project.name == "ok"
    assert backend.requests[-1].fault is not None


def test_nothing_listening_fails_fast_after_the_connect_retries(make_session: Callable[..., Session]) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    session = Session(
        f"http://127.0.0.1:{port}/api/v1",
        api_token="x",
        max_retries=2,
        backoff_factor=0.001,
        timeout={"connect": 1, "read": READ, "total": TOTAL},
    )
    started = time.monotonic()
    with pytest.raises(APIConnectionError, match="could not connect"):
        Project.get(1, session=session)
    assert time.monotonic() - started < 1.0
    assert session.request_count == 3
