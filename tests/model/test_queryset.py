"""Querysets: lazy until evaluated, pages fetched only as needed, Django-like accessors."""

from __future__ import annotations

import pytest

from synapse import Assignment, GroundTruthEvent, InvalidInputError, MultipleObjectsReturned, Project, Task
from synapse.orm.identity import identity_map
from synapse.testing import LocalBackend
from synapse.transport.session import Session

from ._common import id_of, requests_to, seed_tasks


@pytest.fixture
def project(backend: LocalBackend, session: Session) -> Project:
    (pid,) = backend.seed("projects", [{"name": "p"}])
    seed_tasks(backend, pid, 300)
    backend.clear_log()
    return Project.get(pid)


def test_building_querysets_sends_nothing(session: Session, project: Project) -> None:
    with session.no_requests():
        qs = Task.filter(project=project).filter(is_discarded=False).expand("project").order_by("-id").page_size(50)
        qs = qs.values()
        project.tasks.filter(has_data=True)
    assert "project=" in qs.describe() and "expand=project" in qs.describe()


def test_iteration_walks_every_page(backend: LocalBackend, session: Session, project: Project) -> None:
    tasks = [task for task in project.tasks.page_size(100)]
    assert len(tasks) == 300
    assert len({t.id for t in tasks}) == 300
    assert len(requests_to(backend, "GET", "sdk/tasks/")) == 3


def test_list_asks_for_the_count_first(session: Session, project: Project) -> None:
    """``list()`` calls ``len()``, which is the server's count: one small request before the walk."""
    with session.expect_requests(4):
        tasks = list(project.tasks.page_size(100))
    assert len(tasks) == 300


def test_slice_fetches_only_the_needed_page(backend: LocalBackend, session: Session, project: Project) -> None:
    ids = sorted(id_of(t) for t in Task.filter(project=project).page_size(100))
    backend.clear_log()
    with session.expect_requests(1):
        window = Task.filter(project=project).order_by("id").page_size(100)[250:260]
    assert [t.id for t in window] == ids[250:260]
    (record,) = backend.requests
    assert record.query["page"] == ["3"]


def test_slice_across_a_page_boundary(session: Session, project: Project) -> None:
    with session.expect_requests(2):
        window = Task.filter(project=project).order_by("id").page_size(100)[95:105]
    assert len(window) == 10


def test_index_and_negative_index(session: Session, project: Project) -> None:
    qs = Task.filter(project=project).order_by("id")
    expected = qs[:10][5].id
    with session.expect_requests(1):
        assert qs[5].id == expected
    with pytest.raises(InvalidInputError, match="negative"), session.no_requests():
        qs[-1]
    with pytest.raises(InvalidInputError), session.no_requests():
        qs[10:0:2]
    with pytest.raises(IndexError):
        qs[5000]


def test_count_is_one_request(backend: LocalBackend, session: Session, project: Project) -> None:
    with session.expect_requests(1):
        assert Task.filter(project=project).count() == 300
    assert backend.requests[-1].query["page_size"] == ["1"]
    with session.expect_requests(1):
        assert len(project.tasks) == 300


def test_first_exists_and_bool(session: Session, project: Project) -> None:
    with session.expect_requests(1):
        first = Task.filter(project=project).order_by("id").first()
    assert first is not None and first.project_id == project.id
    # status is not a declared task filter (the real backend ignores it): use is_discarded.
    with session.expect_requests(1):
        assert Task.filter(project=project, is_discarded=True).first() is None
    with session.expect_requests(2):
        assert Task.filter(project=project).exists()
        assert not Task.filter(is_discarded=True)


def test_get_with_filters(backend: LocalBackend, session: Session, project: Project) -> None:
    # Declared task filters only (status is not one; the real backend would ignore it).
    (special,) = seed_tasks(backend, project, 1, is_discarded=True)
    with session.expect_requests(1):
        task = Task.filter(project=project).get(is_discarded=True)
    assert task.id == special
    with pytest.raises(Task.DoesNotExist):
        Task.filter(project=project).get(has_data=True)
    with pytest.raises(MultipleObjectsReturned, match="301"):
        Task.filter(project=project).get()
    # DoesNotExist is a NotFoundError, so generic handlers keep working.
    from synapse import NotFoundError

    assert issubclass(Task.DoesNotExist, NotFoundError)
    assert not issubclass(Task.DoesNotExist, Project.DoesNotExist)


def test_get_by_id_through_queryset_uses_identity(session: Session, project: Project) -> None:
    task = Task.filter(project=project).first()
    assert task is not None
    with session.no_requests():
        assert Task.all().get(id=task.id) is task


def test_repr_shows_at_most_20(session: Session, project: Project) -> None:
    with session.expect_requests(1):
        text = repr(Task.filter(project=project))
    assert text.count("<Task ") == 20
    assert "remaining elements truncated" in text


def test_values_returns_dicts(session: Session, project: Project) -> None:
    rows = Task.filter(project=project).values()[:3]
    assert all(isinstance(row, dict) for row in rows)
    assert {"id", "project", "status"} <= set(rows[0])
    assert len(identity_map(session)) == 1  # only the project: values() builds no objects


def test_in_bulk(backend: LocalBackend, session: Session, project: Project) -> None:
    # Assignments declare id__in; on tasks the real backend ignores it (see the next test).
    ids = backend.seed("assignments", [{"task": 1, "project": project.id} for _ in range(300)])[:150]
    session.expire_all()
    backend.clear_log()
    found = Assignment.all().in_bulk(ids)
    assert sorted(found) == sorted(ids)
    assert all(found[pk].id == pk for pk in ids)
    assert len(backend.requests) == 2  # 100 ids per request
    with session.no_requests():
        again = Assignment.all().in_bulk(ids[:10])
    assert all(again[pk] is found[pk] for pk in ids[:10])


def test_list_filters_are_repeated_params(backend: LocalBackend, session: Session) -> None:
    # A multiple-choice filter (the real backend reads only the last value of a single-choice one).
    vids = backend.seed("ground_truth_dataset_versions", [{"name": n} for n in "abc"])
    backend.seed("ground_truth_events", [{"ground_truth_dataset_version": v} for v in vids for _ in range(2)])
    backend.clear_log()
    events = list(GroundTruthEvent.filter(ground_truth_dataset_versions=[vids[0], vids[1]]))
    assert len(events) == 4
    assert backend.requests[-1].query["ground_truth_dataset_versions"] == [str(vids[0]), str(vids[1])]


def test_in_bulk_never_returns_objects_that_were_not_asked_for(
    backend: LocalBackend, session: Session, project: Project
) -> None:
    ids = [t["id"] for t in Task.filter(project=project).values()[:3]]
    session.expire_all()
    # A server that ignores id__in answers with whatever comes first.
    backend.faults.add(
        "sdk/tasks/",
        method="GET",
        status=200,
        times=1,
        body={"count": 300, "next": None, "previous": None, "results": [{"id": ids[2], "project": project.id}]},
    )
    found = Task.all().in_bulk([ids[0], ids[1], 999_999])
    assert sorted(found) == [ids[0], ids[1]]  # looked up one by one; the unknown id is left out
