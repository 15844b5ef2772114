"""synapse.dask in one process (dask's own schedulers, an in-process client): arguments, meta, failures."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dask
import pytest
from distributed import Client

import synapse.dask
from synapse import (
    ConfigurationError,
    DataCollection,
    IncompleteListingError,
    InvalidInputError,
    Session,
    Task,
    UploadError,
)
from synapse.testing import LocalBackend

from ._common import seed_tasks

SPECS = [{"name": "image", "is_required": True, "is_primary": True, "file_type": "image"}]


@pytest.fixture
def collection(backend: LocalBackend, session: Session) -> DataCollection:
    (cid,) = backend.seed("data_collections", [{"name": "images", "file_specifications": SPECS}])
    return DataCollection.get(cid)


@pytest.fixture
def client(backend: LocalBackend, monkeypatch: pytest.MonkeyPatch) -> Iterator[Client]:
    monkeypatch.setenv("SYNAPSE_BASE_URL", backend.url)
    monkeypatch.setenv("SYNAPSE_API_TOKEN", backend.token)
    with Client(processes=False, n_workers=1, threads_per_worker=4, dashboard_address=None) as client:
        yield client


def test_read_has_the_meta_of_to_pandas_and_known_divisions(backend: LocalBackend, session: Session) -> None:
    seed_tasks(backend, 950)
    query = Task.all().page_size(100)
    frame = synapse.dask.read(query, npartitions=4)
    assert frame.npartitions == 4
    assert frame.divisions == (0, 200, 500, 700, 949)
    assert dict(frame.dtypes) == dict(query.to_pandas().dtypes)
    result = frame.compute(scheduler="threads")
    assert result["id"].tolist() == [t.id for t in Task.all().order_by("id")]
    assert isinstance(result["meta"].iloc[0], dict), "JSON columns stay objects (dask would make them text)"
    assert synapse.dask.read(query).npartitions == 1, "by default one partition per 20 pages"
    assert list(synapse.dask.read(query, columns=["id", "project"]).columns) == ["id", "project"]


def test_reads_of_bound_querysets_are_named_without_hashing_the_session(
    backend: LocalBackend, session: Session
) -> None:
    seed_tasks(backend, 30)
    with dask.config.set({"tokenize.ensure-deterministic": True}):
        first = synapse.dask.read(Task.all().using(session), npartitions=1)
        again = synapse.dask.read(Task.all().using(session), npartitions=1)
    assert first._name != again._name, "each read is a new read, not a cached one"
    assert len(first.compute(scheduler="sync")) == 30


def test_a_read_of_a_listing_that_changed_fails_loudly(backend: LocalBackend, session: Session) -> None:
    seed_tasks(backend, 300)
    frame = synapse.dask.read(Task.all().page_size(100), npartitions=3)
    seed_tasks(backend, 1)
    with pytest.raises(IncompleteListingError, match="changed"):
        frame.compute(scheduler="sync")


def test_bad_arguments_are_refused_before_any_request(session: Session, collection: DataCollection) -> None:
    with session.no_requests():
        with pytest.raises(InvalidInputError, match="npartitions"):
            synapse.dask.read(Task.all(), npartitions=0)
        with pytest.raises(InvalidInputError, match="no field"):
            synapse.dask.read(Task.all(), columns=["nope"])
        with pytest.raises(InvalidInputError, match="chunk_size"):
            synapse.dask.upload_many(collection, [], chunk_size=0)
        with pytest.raises(InvalidInputError, match="item 1"):
            synapse.dask.upload_many(collection, [{"files": {"image": "a.png"}}, {"files": {}}])
        with pytest.raises(ConfigurationError, match="no dask client"):
            synapse.dask.upload_many(collection, [{"files": {"image": "a.png"}}])


def _items(tmp_path: Path, n: int) -> list[dict[str, Any]]:
    items = []
    for i in range(n):
        path = tmp_path / f"f{i}.bin"
        path.write_bytes(os.urandom(256))
        items.append({"files": {"image": path}, "meta": {"i": i}})
    return items


def test_an_item_whose_file_is_missing_fails_alone(
    backend: LocalBackend, collection: DataCollection, client: Client, tmp_path: Path
) -> None:
    items = _items(tmp_path, 12)
    missing = tmp_path / "f5.bin"
    missing.rename(tmp_path / "later.bin")
    with pytest.raises(UploadError) as info:
        synapse.dask.upload_many(collection, items, client=client, chunk_size=4)
    assert [f.path for f in info.value.failures] == ["item 5"]
    assert "no such file" in info.value.failures[0].reason
    assert [unit is None for unit in info.value.results] == [i == 5 for i in range(12)]
    assert backend.count("data_units") == 11

    (tmp_path / "later.bin").rename(missing)
    units = synapse.dask.upload_many(collection, items, client=client, chunk_size=4)
    assert [(unit.meta or {})["i"] for unit in units] == list(range(12))
    assert backend.count("data_units") == 12, "the re-run created only the missing unit"
    assert units[0] is info.value.results[0], "units join the caller's identity map"
    assert not list((tmp_path / "cache" / "dask-chunks").glob("*.json")), "a clean call forgets its records"


def test_a_failing_unit_batch_is_reported_per_item_with_its_index_in_the_call(
    backend: LocalBackend, collection: DataCollection, client: Client, tmp_path: Path
) -> None:
    items = _items(tmp_path, 8)
    backend.faults.add("data_units/", method="POST", status=400, times=1, body={"detail": "busy"})
    with pytest.raises(UploadError) as info:
        synapse.dask.upload_many(collection, items, client=client, chunk_size=4)
    failed = sorted(int(f.path.split()[1]) for f in info.value.failures)
    assert len(failed) == 4 and failed in ([0, 1, 2, 3], [4, 5, 6, 7])
    assert all("busy" in f.reason for f in info.value.failures)
    units = synapse.dask.upload_many(collection, items, client=client, chunk_size=4)
    assert [(unit.meta or {})["i"] for unit in units] == list(range(8))
    assert backend.count("data_units") == 8
