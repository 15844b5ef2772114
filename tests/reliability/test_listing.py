"""Listing thousands of tasks while a fifth of the page GETs fail: every task, once, in order."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from synapse import BackendClient, Task
from synapse.testing import LocalBackend
from synapse.transport.session import Session

TASKS = 5000
# Three independent faults, each drawn with this probability: 1 - (1 - p)**3 ~= 20% of GETs fail.
P_EACH = 0.072
# 20% failures per attempt: 11 attempts all failing has odds 0.2**11 ~= 2e-8 per page.
RETRIES = 10


@pytest.fixture
def many_tasks(backend: LocalBackend) -> list[int]:
    project = backend.seed("projects", [{"name": "listing"}])[0]
    return backend.seed("tasks", [{"project": project, "status": "pending", "data": {"n": n}} for n in range(TASKS)])


def flaky_gets(backend: LocalBackend) -> None:
    backend.faults.add("*", method="GET", status=503, times=None, probability=P_EACH, name="503")
    backend.faults.add("*", method="GET", status=429, retry_after=1, times=None, probability=P_EACH, name="429")
    backend.faults.add(
        "*", method="GET", status=None, drop_connection="before", times=None, probability=P_EACH, name="drop"
    )


def assert_faults_hit(backend: LocalBackend) -> None:
    hits = {r.fault for r in backend.requests if r.fault}
    assert hits == {"503", "429", "drop"}, hits
    failed = sum(1 for r in backend.requests if r.fault)
    assert 0.1 < failed / backend.request_count < 0.3


@pytest.mark.parametrize("prefetch", [1, 4])
def test_task_iteration_yields_every_task_once_in_order(
    backend: LocalBackend, make_session: Callable[..., Session], many_tasks: list[int], prefetch: int
) -> None:
    flaky_gets(backend)
    session = make_session(max_retries=RETRIES)
    ids = [task.id for task in Task.using(session).prefetch(prefetch)]
    assert ids == many_tasks
    assert_faults_hit(backend)


def test_backend_client_list_all_yields_every_task_once_in_order(
    backend: LocalBackend, make_session: Callable[..., Session], many_tasks: list[int]
) -> None:
    flaky_gets(backend)
    client = BackendClient.from_session(make_session(max_retries=RETRIES))
    items, count = client.list_tasks(list_all=True)
    ids = [item["id"] for item in items]
    assert count == TASKS
    assert ids == many_tasks
    assert_faults_hit(backend)


def test_per_page_retries_ride_out_a_burst_longer_than_the_session_budget(
    backend: LocalBackend, make_session: Callable[..., Session], many_tasks: list[int]
) -> None:
    """The seed's opt-in ``page_retries`` walk (sequential ``next``) also loses and repeats nothing."""
    backend.faults.add("sdk/tasks/", method="GET", status=503, times=None, probability=0.2, name="503")
    client = BackendClient.from_session(make_session(max_retries=1))
    items, count = client.list_tasks(params={"page_size": 500}, list_all=True, page_retries=8, page_retry_backoff=0.001)
    assert [item["id"] for item in items] == many_tasks
    assert count == TASKS
