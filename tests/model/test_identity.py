"""Identity map: one object per id, cache freshness, merging fresh data, N+1 avoidance, pickling, threads."""

from __future__ import annotations

import gc
import pickle
import threading
import time
import weakref

import pytest

from synapse import Project, Session, Task
from synapse.orm.identity import identity_map
from synapse.orm.pagination import DEFAULT_PREFETCH
from synapse.testing import LocalBackend

from ._common import requests_to, seed_tasks, stored


def test_same_object_for_same_id(backend: LocalBackend, session: Session) -> None:
    (pid,) = backend.seed("projects", [{"name": "p"}])
    (tid,) = seed_tasks(backend, pid, 1)
    project = Project.get(pid)
    task = Task.get(tid)
    with session.no_requests():
        assert task.project is project
        assert Project.get(pid) is project


def test_thousand_tasks_of_one_project_cost_one_project_get(backend: LocalBackend, session: Session) -> None:
    (pid,) = backend.seed("projects", [{"name": "p"}])
    seed_tasks(backend, pid, 1000)
    tasks = list(Task.filter(project=pid).page_size(1000))
    backend.clear_log()
    projects = {id(task.project) for task in tasks}
    assert projects == {id(Project.get(pid))}
    assert len(backend.requests) == 1
    assert backend.requests[0].path == f"projects/{pid}/"


def test_expand_needs_no_extra_request(backend: LocalBackend, session: Session) -> None:
    (pid,) = backend.seed("projects", [{"name": "expanded"}])
    seed_tasks(backend, pid, 250)
    backend.clear_log()
    tasks = [task for task in Task.filter(project=pid).expand("project")]
    pages = len(backend.requests)
    with session.no_requests():
        names = {task.project.name for task in tasks if task.project is not None}
    assert names == {"expanded"}
    assert pages == 3  # 250 tasks, 100 per page, nothing else
    assert len({id(t.project) for t in tasks}) == 1


def test_repeat_get_within_ttl_is_free_and_refresh_forces(backend: LocalBackend, session: Session) -> None:
    (pid,) = backend.seed("projects", [{"name": "p"}])
    project = Project.get(pid)
    with session.no_requests():
        Project.get(pid)
    with session.expect_requests(1):
        assert Project.get(pid, refresh=True) is project
    with session.expect_requests(1):
        project.refresh()
    session.expire_all()
    with session.expect_requests(1):
        assert Project.get(pid) is project


def test_ttl_expiry(backend: LocalBackend) -> None:
    (pid,) = backend.seed("projects", [{"name": "p"}])
    with Session(backend.url, api_token=backend.token, cache_ttl=0.05) as s:
        first = Project.get(pid)
        time.sleep(0.1)
        with s.expect_requests(1):
            assert Project.get(pid) is first


def test_list_data_updates_live_object_but_keeps_local_edits(backend: LocalBackend, session: Session) -> None:
    (pid,) = backend.seed("projects", [{"name": "p"}])
    (tid,) = seed_tasks(backend, pid, 1)
    task = Task.get(tid)
    task.data = {"mine": True}
    backend.store.update("tasks", tid, {"status": "done", "data": {"theirs": True}})
    listed = Task.filter(project=pid).first()
    assert listed is task
    assert task.status == "done"  # fresh server value applied in place
    assert task.data == {"mine": True}  # unsaved edit survives
    assert task.changed_fields() == {"data"}


def test_pickle_round_trip(backend: LocalBackend, session: Session) -> None:
    (pid,) = backend.seed("projects", [{"name": "p"}])
    (tid,) = seed_tasks(backend, pid, 1)
    task = Task.get(tid)
    task.status = "edited"
    blob = pickle.dumps(task)
    assert backend.token.encode() not in blob
    assert b"Token" not in blob
    with session.no_requests():
        same = pickle.loads(blob)
    assert same is task  # merged into the live object of this session
    with Session(backend.url, api_token=backend.token) as other:
        copy = pickle.loads(blob)
        assert copy is not task
        assert copy._bound_session() is other
        assert copy.status == "edited" and copy.changed_fields() == {"status"}
        copy.save()
    assert stored(backend, "tasks", tid)["status"] == "edited"


def test_pickle_without_any_session(backend: LocalBackend) -> None:
    (pid,) = backend.seed("projects", [{"name": "p"}])
    with Session(backend.url, api_token=backend.token):
        blob = pickle.dumps(Project.get(pid))
    restored = pickle.loads(blob)
    assert restored.name == "p" and restored.id == pid and not restored.is_dirty


def test_threads_share_one_session(backend: LocalBackend, session: Session) -> None:
    (pid,) = backend.seed("projects", [{"name": "shared"}])
    errors: list[BaseException] = []
    seen: list[Project | None] = []
    lock = threading.Lock()

    def work(n: int) -> None:
        try:
            with session:
                for i in range(5):
                    task = Task.create(project=pid, status=f"t{n}-{i}")
                    again = Task.get(task.id)
                    assert again is task
                    with lock:
                        seen.append(again.project)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert Task.filter(project=pid).count() == 80
    assert len({id(p) for p in seen}) == 1
    assert len(requests_to(backend, "POST", "tasks/")) == 80


@pytest.mark.slow
def test_iterating_100_000_tasks_keeps_memory_flat(backend: LocalBackend) -> None:
    (pid,) = backend.seed("projects", [{"name": "big"}])
    seed_tasks(backend, pid, 100_000)
    with Session(backend.url, api_token=backend.token, cache_maxsize=1000) as s:
        first: weakref.ref[Task] | None = None
        largest = count = 0
        alive_at: dict[int, int] = {}
        for task in Task.filter(project=pid).page_size(1000):
            if first is None:
                first = weakref.ref(task)
            count += 1
            if count % 1000 == 0:
                largest = max(largest, len(identity_map(s)))
            if count in (20_000, 100_000):
                gc.collect()
                alive_at[count] = sum(isinstance(obj, Task) for obj in gc.get_objects())
        del task
        gc.collect()
        assert count == 100_000 and s.request_count == 100
        window = (DEFAULT_PREFETCH + 3) * 1000  # pages in flight or done, the page being walked, the one before
        assert largest <= window  # list rows are never kept alive by the identity map
        assert alive_at[100_000] <= alive_at[20_000] <= window  # live objects do not grow with the count
        assert first is not None and first() is None  # early rows were released
