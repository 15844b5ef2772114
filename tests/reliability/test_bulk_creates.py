"""Bulk creates whose answers get lost: the client looks before it sends again, so nothing exists twice.

Faults apply the POST and then drop the connection or answer 502/504 (the server acted, the client
cannot see it), or refuse it before the handler (nothing happened). Whatever the mix, 1,000 data
units end with exactly 1,000 tasks, and a re-run after a failure creates nothing twice.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from synapse import BackendClient, DataCollection, DataFile, DataUnit, Task
from synapse.errors import BulkCreateError, UploadError
from synapse.testing import LocalBackend
from synapse.testing.store import Query
from synapse.transport.session import Session

UNITS = 1000


@pytest.fixture
def project_and_units(backend: LocalBackend) -> tuple[int, list[int]]:
    (cid,) = backend.seed("data_collections", [{"name": "c"}])
    (pid,) = backend.seed("projects", [{"name": "p", "data_collection": cid}])
    units = backend.seed("data_units", [{"data_collection": cid, "meta": {"n": n}} for n in range(UNITS)])
    return pid, units


def tasks_per_unit(backend: LocalBackend, pid: int) -> Counter[int]:
    return Counter(row["data_unit"] for row in backend.store.find("tasks", Query()) if row["project"] == pid)


def requests(backend: LocalBackend, method: str, path: str) -> int:
    return sum(1 for r in backend.requests if r.method == method and r.path == path)


LOST_ANSWERS: dict[str, dict[str, Any]] = {
    "applied, then dropped": {"status": None, "drop_connection": "after"},
    "applied, then 502": {"status": 502, "after_handler": True},
    "applied, then 504": {"status": 504, "after_handler": True},
}


@pytest.mark.parametrize("fault", list(LOST_ANSWERS))
def test_a_lost_answer_is_looked_up_instead_of_sent_again(
    fault: str, backend: LocalBackend, session: Session, project_and_units: tuple[int, list[int]]
) -> None:
    pid, units = project_and_units
    backend.faults.add("tasks/", method="POST", times=None, **LOST_ANSWERS[fault])
    tasks = Task.bulk_create(pid, units, session=session)
    assert [t.data_unit_id for t in tasks] == units
    assert tasks_per_unit(backend, pid) == Counter(units)
    assert (requests(backend, "POST", "tasks/"), requests(backend, "GET", "sdk/tasks/")) == (1, 1)


def test_a_refused_batch_proven_absent_is_sent_again(
    backend: LocalBackend, session: Session, project_and_units: tuple[int, list[int]]
) -> None:
    pid, units = project_and_units
    backend.faults.add("tasks/", method="POST", status=502, times=2)
    tasks = Task.bulk_create(pid, units, session=session)
    assert len(tasks) == UNITS and tasks_per_unit(backend, pid) == Counter(units)
    assert requests(backend, "POST", "tasks/") == 3


def test_1000_tasks_whatever_happens(
    backend: LocalBackend, make_session: Callable[..., Session], project_and_units: tuple[int, list[int]]
) -> None:
    pid, units = project_and_units
    backend.faults.seed(1)
    for options in [*LOST_ANSWERS.values(), {"status": 502}, {"status": None, "drop_connection": "before"}]:
        backend.faults.add("tasks/", method="POST", times=None, probability=0.25, **options)
    backend.faults.add("sdk/tasks/", method="GET", status=503, times=None, probability=0.2)
    session = make_session(max_retries=6)
    runs = []
    for _ in range(6):
        try:
            tasks = Task.bulk_create(pid, units, batch_size=25, session=session)
        except BulkCreateError as exc:
            runs.append(len(exc.failures))
            continue
        runs.append(0)
        break
    assert runs[-1] == 0, f"still failing after {len(runs)} runs: {runs}"
    assert [t.data_unit_id for t in tasks] == units
    assert tasks_per_unit(backend, pid) == Counter(units), "exactly one task per data unit"
    assert sum(1 for r in backend.requests if r.fault) > 40, "the faults did fire"


def test_a_rerun_after_a_failed_look_up_creates_nothing_twice(
    backend: LocalBackend, session: Session, project_and_units: tuple[int, list[int]]
) -> None:
    pid, units = project_and_units
    backend.faults.add("tasks/", method="POST", status=None, drop_connection="after", times=1)
    backend.faults.add("sdk/tasks/", method="GET", status=503, times=None)
    with pytest.raises(BulkCreateError) as info:
        Task.bulk_create(pid, units, batch_size=400, session=session)
    error = info.value
    assert error.in_doubt == list(range(400)), "the first batch is in doubt"
    assert len(error.failures) == UNITS and error.results == [None] * UNITS
    assert "looking the items up failed" in error.failures[0].reason and "data unit" in error.failures[0].path
    assert "not sent" in error.failures[400].reason
    assert requests(backend, "POST", "tasks/") == 1, "nothing else is created while a batch is in doubt"
    backend.faults.clear()
    backend.clear_log()

    tasks = Task.bulk_create(pid, units, batch_size=400, session=session)
    assert [t.data_unit_id for t in tasks] == units
    assert tasks_per_unit(backend, pid) == Counter(units)
    assert requests(backend, "POST", "tasks/") == 2, "the batch in doubt was found, not sent again"


def test_a_rerun_after_a_refused_batch_creates_only_what_is_missing(
    backend: LocalBackend, session: Session, project_and_units: tuple[int, list[int]]
) -> None:
    pid, units = project_and_units
    backend.faults.add("tasks/", method="POST", status=None, drop_connection="after", times=1)
    backend.faults.add("tasks/", method="POST", status=400, times=1, body={"data": ["busy"]})
    with pytest.raises(BulkCreateError) as info:
        Task.bulk_create(pid, units, batch_size=300, session=session)
    assert not info.value.in_doubt and len(info.value.failures) == 300
    assert [r is not None for r in info.value.results] == [True] * 300 + [False] * 300 + [True] * 400
    backend.clear_log()

    tasks = Task.bulk_create(pid, units, batch_size=300, session=session)
    assert [t.data_unit_id for t in tasks] == units
    assert tasks_per_unit(backend, pid) == Counter(units)
    assert requests(backend, "POST", "tasks/") == 1, "only the refused batch is sent"


def test_an_answer_slower_than_the_read_timeout_is_never_sent_twice(
    backend: LocalBackend, session: Session, project_and_units: tuple[int, list[int]]
) -> None:
    pid, units = project_and_units
    backend.faults.add("tasks/", method="POST", status=None, delay=1.0, times=1)  # applied after the client gave up
    with pytest.raises(BulkCreateError) as info:
        Task.bulk_create(pid, units[:10], session=session)
    assert info.value.in_doubt == list(range(10))
    deadline = time.monotonic() + 5
    while backend.count("tasks") < 10 and time.monotonic() < deadline:
        time.sleep(0.05)
    tasks = Task.bulk_create(pid, units[:10], session=session)
    assert len(tasks) == 10 and tasks_per_unit(backend, pid) == Counter(units[:10])


def uploaded(session: Session, tmp_path: Path, name: str) -> DataFile:
    path = tmp_path / name
    path.write_text(f"the file {name}")
    return DataFile.upload(path, session=session)


def test_data_units_in_doubt_are_recognised_by_their_files(
    backend: LocalBackend, session: Session, tmp_path: Path
) -> None:
    (cid,) = backend.seed("data_collections", [{"name": "c"}])
    refs = [uploaded(session, tmp_path, f"f{i}.txt") for i in range(3)]
    items = [
        {"files": {"image": {"checksum": ref.checksum, "path": f"f{i}.txt"}}, "meta": {"i": i}}
        for i, ref in enumerate(refs)
    ]
    items.append({**items[0], "meta": {"i": "again"}})  # the same file twice, told apart by meta
    backend.faults.add("data_units/", method="POST", status=None, drop_connection="after", times=1)
    units = DataUnit.bulk_create(cid, items, session=session)
    assert [u.meta for u in units] == [{"i": 0}, {"i": 1}, {"i": 2}, {"i": "again"}]
    assert backend.count("data_units") == 4 and requests(backend, "POST", "data_units/") == 1


def test_data_units_whose_listing_hides_checksums_stay_in_doubt(
    backend: LocalBackend, session: Session, tmp_path: Path
) -> None:
    (cid,) = backend.seed("data_collections", [{"name": "c"}])
    ref = uploaded(session, tmp_path, "a.txt")
    (hidden,) = backend.seed("data_units", [{"data_collection": cid, "files": {"image": "http://elsewhere/a.txt"}}])
    backend.faults.add("data_units/", method="POST", status=None, drop_connection="before", times=1)
    item = {"files": {"image": {"checksum": ref.checksum, "path": "a.txt"}}}
    with pytest.raises(BulkCreateError) as info:
        DataUnit.bulk_create(cid, [item], session=session)
    assert info.value.in_doubt == [0] and backend.count("data_units") == 1, "not sent again blindly"
    backend.store.delete("data_units", hidden)
    (unit,) = DataUnit.bulk_create(cid, [item], session=session)
    assert backend.count("data_units") == 1 and unit.files is not None


@pytest.mark.parametrize("entry", ["DataCollection.upload_many", "BackendClient.upload_data_collection"])
def test_unit_uploads_with_lost_answers_create_each_unit_and_task_once(
    entry: str, backend: LocalBackend, session: Session, tmp_path: Path
) -> None:
    specs = [{"name": "image", "is_required": True}]
    (cid,) = backend.seed("data_collections", [{"name": "c", "file_specifications": specs}])
    (pid,) = backend.seed("projects", [{"name": "p", "data_collection": cid}])
    paths = [tmp_path / f"img{i}.txt" for i in range(7)]
    for i, path in enumerate(paths):
        path.write_text(f"image {i}")
    items: list[dict[str, Any]] = [{"files": {"image": path}, "meta": {"i": i}} for i, path in enumerate(paths)]
    backend.faults.add("data_units/", method="POST", status=None, drop_connection="after", times=2)
    backend.faults.add("tasks/", method="POST", status=502, after_handler=True, times=1)
    backend.faults.add("tasks/", method="POST", status=400, times=1, body={"project": ["busy"]})

    def upload() -> list[Any]:
        if entry == "DataCollection.upload_many":
            units = DataCollection.get(cid, session=session).upload_many(items, batch_size=3, project=pid)
            return [unit.id for unit in units]
        client = BackendClient(session=session)
        return [unit["id"] for unit in client.upload_data_collection(cid, items, project_id=pid, batch_size=3)]

    with pytest.raises(UploadError) as info:
        upload()
    assert [f.path for f in info.value.failures] == ["item 3", "item 4", "item 5"]
    assert "busy" in info.value.failures[0].reason
    assert backend.count("data_units") == 7 and sum(tasks_per_unit(backend, pid).values()) == 4
    ids = upload()
    assert len(set(ids)) == 7 and backend.count("data_units") == 7, "the re-run found every unit"
    assert tasks_per_unit(backend, pid) == Counter(ids), "one task per unit"
