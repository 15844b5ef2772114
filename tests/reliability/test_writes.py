"""Writes happen once or say they may have happened: a gateway error after the backend applied a
write is never answered by sending the write again.

``after_handler=True`` faults run the real handler (the object is created) and then answer with the
gateway's status, as a proxy does when it gave up waiting for a backend that finished anyway.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from synapse import BackendClient, Project, Task
from synapse.errors import RequestBudgetExceeded, ResponseIncompleteError
from synapse.testing import LocalBackend
from synapse.transport.session import Session


def _posts(backend: LocalBackend, path: str) -> list[int | None]:
    return [r.status for r in backend.requests if r.method == "POST" and r.path == path]


@pytest.mark.parametrize("status", [502, 504])
def test_gateway_error_after_a_create_was_applied_is_incomplete_and_not_resent(
    backend: LocalBackend, make_session: Callable[..., Session], status: int
) -> None:
    backend.faults.add("projects/", method="POST", status=status, after_handler=True, times=None)
    session = make_session(max_retries=5)
    with pytest.raises(ResponseIncompleteError, match="may have applied") as caught:
        Project.create(name="once", session=session)
    assert caught.value.status_code == status
    assert "Check" in str(caught.value)  # says what to do before sending it again
    assert backend.count("projects") == 1
    assert _posts(backend, "projects/") == [status]


def test_bulk_create_behind_a_failing_gateway_creates_each_task_once(
    backend: LocalBackend, make_session: Callable[..., Session]
) -> None:
    (project,) = backend.seed("projects", [{"name": "p"}])
    (collection,) = backend.seed("data_collections", [{"name": "c"}])
    units = backend.seed("data_units", [{"data_collection": collection, "meta": {}} for _ in range(1000)])
    backend.faults.add("tasks/", method="POST", status=502, after_handler=True, times=1)
    session = make_session(max_retries=5)
    created = Task.bulk_create(project, units, session=session)  # in doubt, then found by reconciling
    assert sorted(task.data_unit_id for task in created) == sorted(units)
    assert backend.count("tasks") == 1000
    assert _posts(backend, "tasks/") == [502]


def test_gateway_error_after_a_patch_is_incomplete(backend: LocalBackend, make_session: Callable[..., Session]) -> None:
    session = make_session(max_retries=5)
    project = Project.create(name="before", session=session)
    backend.faults.add("projects/*", method="PATCH", status=504, after_handler=True, times=None)
    project.name = "after"
    with pytest.raises(ResponseIncompleteError, match="may have applied"):
        project.save()
    assert isinstance(project.id, int)
    stored = backend.get("projects", project.id)
    assert stored is not None and stored["name"] == "after"
    assert len([r for r in backend.requests if r.method == "PATCH"]) == 1


def test_idempotent_annotation_put_is_retried_after_a_gateway_error(
    backend: LocalBackend, make_session: Callable[..., Session]
) -> None:
    """Storing the same data twice leaves the same task: the contract's PUTs may be resent."""
    (project,) = backend.seed("projects", [{"name": "p"}])
    (pk,) = backend.seed("tasks", [{"project": project, "status": "pending"}])
    backend.faults.add("tasks/*/annotate_task_data/", method="PUT", status=502, after_handler=True, times=1)
    session = make_session()
    task = Task.get(pk, session=session)
    task.annotate({"label": "cat"})
    assert task.data == {"label": "cat"}
    assert [r.status for r in backend.requests if r.method == "PUT"] == [502, 200]


def test_post_refused_with_503_is_retried_and_created_once(
    backend: LocalBackend, make_session: Callable[..., Session]
) -> None:
    backend.faults.add("projects/", method="POST", status=503, times=2)
    Project.create(name="refused twice", session=make_session())
    assert backend.count("projects") == 1
    assert _posts(backend, "projects/") == [503, 503, 201]


def test_annotate_batch_requests_count_against_the_callers_budget(backend: LocalBackend, session: Session) -> None:
    (project,) = backend.seed("projects", [{"name": "p"}])
    tasks = backend.seed("tasks", [{"project": project, "status": "pending"} for _ in range(3)])
    client = BackendClient.from_session(session)
    with session.expect_requests(3):
        outcome = client.annotate_task_data_batch({pk: {"n": pk} for pk in tasks}, max_workers=3)
    assert all(entry["success"] for entry in outcome.values())
    before = backend.request_count
    with pytest.raises(RequestBudgetExceeded), session.no_requests():
        client.annotate_task_data_batch({pk: {"n": 0} for pk in tasks}, max_workers=3)
    assert backend.request_count == before
