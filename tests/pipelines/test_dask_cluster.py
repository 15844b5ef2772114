"""synapse.dask on a real ``distributed.LocalCluster`` of worker processes, against the local backend on loopback.

Workers are separate interpreters: they find the backend and token through the ``SYNAPSE_*``
variables they inherit when the cluster starts, and share the test's cache folder.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dask
import pytest
from distributed import Client, LocalCluster

import synapse.dask
from synapse import DataCollection, DataUnit, Session, Task, UploadError
from synapse.testing import LocalBackend

from ._common import seed_tasks

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

SPECS = [{"name": "image", "is_required": True, "is_primary": True, "file_type": "image"}]


@pytest.fixture
def worker_env(backend: LocalBackend, monkeypatch: pytest.MonkeyPatch) -> LocalBackend:
    """What worker processes inherit: where the backend is and its token (the cache folder is set by ``isolated``)."""
    monkeypatch.setenv("SYNAPSE_BASE_URL", backend.url)
    monkeypatch.setenv("SYNAPSE_API_TOKEN", backend.token)
    return backend


def _cluster(**config: Any) -> Iterator[Client]:
    with (
        dask.config.set(config),
        LocalCluster(n_workers=2, threads_per_worker=2, processes=True, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        yield client


@pytest.fixture
def client(worker_env: LocalBackend) -> Iterator[Client]:
    yield from _cluster()


@pytest.fixture
def fragile_client(worker_env: LocalBackend) -> Iterator[Client]:
    """A cluster that does not retry the tasks of a worker that died: the call fails, as on a cluster that gave up."""
    yield from _cluster(**{"distributed.scheduler.allowed-failures": 0})


def test_a_20000_task_read_equals_a_single_process_walk(
    worker_env: LocalBackend, session: Session, client: Client
) -> None:
    seed_tasks(worker_env, 20_000)
    walked = [row["id"] for row in Task.all().order_by("id").values()]
    frame = synapse.dask.read(Task.all(), npartitions=6)
    assert frame.npartitions == 6 and frame.known_divisions
    assert dict(frame.dtypes) == dict(Task.all().to_pandas().dtypes)
    result = frame.compute()
    assert result["id"].tolist() == walked, "same ids, in order, each once"
    assert result.index.tolist() == list(range(20_000))
    assert result["data"].iloc[7] == {"i": 7, "labels": ["a"]}, "JSON values arrive as sent, not as text"
    assert frame["project"].value_counts().compute().to_dict() == {result["project"].iloc[0]: 20_000}


def _files(tmp_path: Path, n: int) -> list[dict[str, Any]]:
    folder = tmp_path / "files"
    folder.mkdir()
    items = []
    for i in range(n):
        path = folder / f"image-{i:04d}.bin"
        path.write_bytes(os.urandom(512) + i.to_bytes(4, "big"))
        items.append({"files": {"image": str(path)}, "meta": {"i": i}})
    return items


def _units_per_item(collection: DataCollection) -> Counter[int]:
    return Counter(unit["meta"]["i"] for unit in DataUnit.filter(data_collection=collection).values())


@pytest.fixture
def collection(worker_env: LocalBackend, session: Session) -> DataCollection:
    (cid,) = worker_env.seed("data_collections", [{"name": "images", "file_specifications": SPECS}])
    return DataCollection.get(cid)


def test_an_upload_of_500_files_across_workers_creates_500_units_once(
    worker_env: LocalBackend, collection: DataCollection, client: Client, tmp_path: Path
) -> None:
    items = _files(tmp_path, 500)
    units = synapse.dask.upload_many(collection, items, client=client)
    assert [unit.meta for unit in units] == [item["meta"] for item in items], "units come back in input order"
    assert len({unit.id for unit in units}) == 500
    assert _units_per_item(collection) == Counter(range(500))
    assert worker_env.count("data_files") == 500


def _kill_a_worker_midway(backend: LocalBackend, client: Client, upload: Any) -> dict[str, Any]:
    """Run ``upload()`` in a thread; once 100 units exist, kill one worker process. Returns its result or error."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["units"] = upload()
        except BaseException as exc:
            outcome["error"] = exc

    runner = threading.Thread(target=run)
    runner.start()
    deadline = time.monotonic() + 60
    while backend.count("data_units") < 100 and time.monotonic() < deadline:
        time.sleep(0.05)
    # Hold every file upload, so that no worker is between creating units and recording them, then kill one.
    hold = backend.faults.add("data_files/", method="POST", status=None, delay=2.0, times=None)
    time.sleep(0.5)
    victim = next(iter(client.run(os.getpid).values()))
    os.kill(victim, signal.SIGKILL)
    backend.faults.remove(hold)
    runner.join(timeout=120)
    return outcome


def test_a_rerun_after_a_worker_was_killed_midway_creates_nothing_twice(
    worker_env: LocalBackend, collection: DataCollection, fragile_client: Client, tmp_path: Path
) -> None:
    items = _files(tmp_path, 500)
    outcome = _kill_a_worker_midway(
        worker_env, fragile_client, lambda: synapse.dask.upload_many(collection, items, client=fragile_client)
    )
    error = outcome.get("error")
    assert isinstance(error, UploadError), outcome
    assert "KilledWorker" in error.failures[0].reason
    done_before = _units_per_item(collection)
    assert 100 <= sum(done_before.values()) < 500 and max(done_before.values()) == 1

    units = synapse.dask.upload_many(collection, items, client=fragile_client)
    assert [unit.meta for unit in units] == [item["meta"] for item in items]
    assert _units_per_item(collection) == Counter(range(500)), "every item has exactly one unit"
    finished = {unit.id for unit in error.results if unit is not None}
    assert finished <= {unit.id for unit in units}, "the units of the first run are the ones returned"


def test_when_dask_retries_a_dead_workers_tasks_each_unit_is_still_created_once(
    worker_env: LocalBackend, collection: DataCollection, client: Client, tmp_path: Path
) -> None:
    items = _files(tmp_path, 500)
    outcome = _kill_a_worker_midway(
        worker_env, client, lambda: synapse.dask.upload_many(collection, items, client=client)
    )
    assert "error" not in outcome, outcome["error"]
    assert [unit.meta for unit in outcome["units"]] == [item["meta"] for item in items]
    assert _units_per_item(collection) == Counter(range(500))
