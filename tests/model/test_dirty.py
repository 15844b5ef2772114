"""Saving: POST for new objects, PATCH of only the changed fields, typed refusals before any request."""

from __future__ import annotations

import json

import pytest

from synapse import InvalidInputError, Project, Session, Task
from synapse.errors import ReadOnlyFieldError
from synapse.testing import LocalBackend

from ._common import id_of, requests_to, seed_tasks, stored


@pytest.fixture
def task(backend: LocalBackend, session: Session) -> Task:
    (pid,) = backend.seed("projects", [{"name": "p", "configuration": {"labels": ["a"]}}])
    (tid,) = seed_tasks(backend, pid, 1, data={"boxes": [1, 2]}, meta={"k": "v"})
    backend.clear_log()
    return Task.get(tid)


def patch_bodies(backend: LocalBackend) -> list[int]:
    return [r.body_size for r in requests_to(backend, "PATCH", "tasks/")]


def test_only_the_changed_field_is_patched(backend: LocalBackend, session: Session, task: Task) -> None:
    task.status = "done"
    assert task.changed_fields() == {"status"}
    with session.expect_requests(1):
        task.save()
    (record,) = requests_to(backend, "PATCH", f"tasks/{task.id}/")
    assert record.body_size == len(json.dumps({"status": "done"}))
    row = stored(backend, "tasks", task)
    assert row["status"] == "done" and row["data"] == {"boxes": [1, 2]}
    assert not task.is_dirty


def test_nothing_changed_sends_nothing(session: Session, task: Task) -> None:
    with session.no_requests():
        task.save()


def test_in_place_edits_are_detected(backend: LocalBackend, session: Session, task: Task) -> None:
    task.data["boxes"].append(3)
    assert task.changed_fields() == {"data"}
    task.save()
    row = stored(backend, "tasks", task)
    assert row["data"] == {"boxes": [1, 2, 3]}
    assert task.meta is not None
    task.meta["k"] = "w"  # an extra (undeclared) field the server sent
    assert task.changed_fields() == {"meta"}
    task.save()
    row = stored(backend, "tasks", task)
    assert row["meta"] == {"k": "w"}


def test_foreign_key_assignment_saves_the_id(backend: LocalBackend, session: Session, task: Task) -> None:
    (other,) = backend.seed("projects", [{"name": "other"}])
    task.project = Project.get(other)
    assert task.changed_fields() == {"project_id"}
    task.save()
    row = stored(backend, "tasks", task)
    assert row["project"] == other
    assert task.project is Project.get(other)


def test_read_only_fields_refuse_assignment(session: Session, task: Task) -> None:
    with pytest.raises(ReadOnlyFieldError, match="set by the server"):
        task.id = 5
    with pytest.raises(InvalidInputError):
        task.created = "yesterday"  # type: ignore[assignment]


def test_unknown_field_on_existing_object_fails_before_any_request(session: Session, task: Task) -> None:
    task.colour = "red"
    with pytest.raises(InvalidInputError, match="colour"), session.no_requests():
        task.save()


def test_create_posts_and_registers(backend: LocalBackend, session: Session) -> None:
    (pid,) = backend.seed("projects", [{"name": "p"}])
    with session.expect_requests(1):
        task = Task.create(project=pid, status="new", data={"x": 1})
    assert task.id is not None and not task.is_dirty
    with session.no_requests():
        assert Task.get(task.id) is task
    (record,) = requests_to(backend, "POST", "tasks/")
    row = stored(backend, "tasks", task)
    assert row["project"] == pid and row["data"] == {"x": 1}
    assert record.status == 201


def test_server_validation_error_is_typed(backend: LocalBackend, session: Session) -> None:
    from synapse import BadRequestError

    with pytest.raises(BadRequestError) as info:
        Task.create(status="orphan")  # project is required
    assert "project" in info.value.field_errors


def test_delete_forgets_the_object(backend: LocalBackend, session: Session, task: Task) -> None:
    task.delete()
    assert backend.get("tasks", id_of(task)) is None
    with pytest.raises(Task.DoesNotExist):
        Task.get(task.id)


def test_unsaved_object_has_no_url(session: Session) -> None:
    with pytest.raises(InvalidInputError, match="not saved"):
        Task(status="x").refresh()
    with pytest.raises(InvalidInputError):
        Task.get("../projects")
