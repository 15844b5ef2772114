"""Data files, data units and models: uploads and downloads through the resources."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from synapse import (
    ClientError,
    DataCollection,
    DataFile,
    DataUnit,
    DeferredFieldError,
    InvalidInputError,
    Model,
    Plugin,
    Project,
    Session,
    Task,
    UploadError,
)
from synapse.resources.data import FileSpecification
from synapse.testing import LocalBackend

from ._common import requests_to

SPECS = [
    {"name": "image", "is_required": True, "is_primary": True, "file_type": "image"},
    {"name": "label", "is_required": False, "file_type": "text"},
]


@pytest.fixture
def collection(backend: LocalBackend, session: Session) -> DataCollection:
    (cid,) = backend.seed("data_collections", [{"name": "animals", "file_specifications": SPECS}])
    backend.clear_log()
    return DataCollection.get(cid)


def test_data_file_upload_and_download(backend: LocalBackend, session: Session, make_file: Any, tmp_path: Path) -> None:
    small: Path = make_file("small.txt", b"tiny content")
    data_file = DataFile.upload(small)
    assert isinstance(data_file, DataFile) and data_file.id is not None
    assert data_file.size == small.stat().st_size
    assert repr(data_file).startswith(f"<DataFile {data_file.id} ")
    fetched = data_file.download(tmp_path / "out")
    assert fetched.read_bytes() == small.read_bytes()


def test_chunked_upload_round_trip(backend: LocalBackend, session: Session, make_file: Any, tmp_path: Path) -> None:
    big: Path = make_file("big.txt", b"0123456789abcdef", size=300_000)
    data_file = DataFile.upload(big, chunked=True, chunk_size=64 * 1024)
    assert len(requests_to(backend, "PUT", "chunked_upload/")) == 5
    assert data_file.size == 300_000
    assert data_file.download(tmp_path / "copy.txt").read_bytes() == big.read_bytes()
    assert DataFile.checksums_exist([data_file.checksum or "", "0" * 32]) == {data_file.checksum}


def test_upload_many_reports_the_missing_file(backend: LocalBackend, session: Session, make_file: Any) -> None:
    paths = [make_file(f"f{i}.txt", f"file {i}") for i in range(4)]
    missing = paths[0].parent / "missing.txt"
    with pytest.raises(UploadError) as info:
        DataFile.upload_many([paths[0], missing, *paths[1:]], workers=4)
    error = info.value
    assert [f.path for f in error.failures] == [str(missing)]
    assert error.results[1] is None
    uploaded = [r for r in error.results if r is not None]
    assert len(uploaded) == 4 and all(isinstance(r, DataFile) for r in uploaded)
    assert backend.count("data_files") == 4
    again = DataFile.upload_many(paths, skip_existing=True)
    assert [f.checksum for f in again] == [f.checksum for f in uploaded]
    assert backend.count("data_files") == 4  # nothing sent twice


def test_collection_specs_are_typed(backend: LocalBackend, session: Session, collection: DataCollection) -> None:
    specs = collection.file_specifications
    assert specs is not None and all(isinstance(s, FileSpecification) for s in specs)
    assert collection.specifications()["image"].is_required
    collection.description = "pets"
    collection.save()  # the nested models serialise back to JSON without being sent
    (record,) = requests_to(backend, "PATCH", "data_collections/")
    assert record.body_size == len('{"description": "pets"}')


def test_collection_upload_checks_names_before_any_request(
    backend: LocalBackend, session: Session, collection: DataCollection, make_file: Any
) -> None:
    image = make_file("cat.txt", "a cat")
    before = backend.request_count
    with session.no_requests():
        with pytest.raises(InvalidInputError, match="no file specification"):
            collection.upload({"image": image, "colour": image})
        with pytest.raises(InvalidInputError, match="required"):
            collection.upload({"label": image})
        with pytest.raises(InvalidInputError, match="no such file"):
            collection.upload({"image": image.parent / "nope.txt"})
    assert backend.request_count == before


def test_collection_upload_loads_specs_when_missing(backend: LocalBackend, session: Session, make_file: Any) -> None:
    (cid,) = backend.seed("data_collections", [{"name": "c", "file_specifications": SPECS}])
    partial = DataCollection.get(cid, fields="id,name")
    with pytest.raises(DeferredFieldError, match="file_specifications"):
        partial.file_specifications  # noqa: B018
    with pytest.raises(InvalidInputError):
        partial.upload({"wrong": make_file()})
    assert backend.requests[-1].query["expand"] == ["file_specifications"]


def test_collection_upload_creates_a_unit(
    backend: LocalBackend, session: Session, collection: DataCollection, make_file: Any
) -> None:
    image, label = make_file("cat.txt", "a cat"), make_file("cat.label", "cat")
    unit = collection.upload({"image": image, "label": label}, meta={"source": "test"}, groups="pets")
    assert isinstance(unit, DataUnit) and unit.data_collection is collection
    assert unit.meta == {"source": "test"} and unit.groups == ["pets"]
    assert set(unit.files or {}) == {"image", "label"}
    assert unit.files is not None and unit.files["image"]["path"] == str(image)
    assert [u.id for u in collection.data_units] == [unit.id]


def test_collection_upload_many_with_tasks_and_a_failure(
    backend: LocalBackend, session: Session, collection: DataCollection, make_file: Any
) -> None:
    (pid,) = backend.seed("projects", [{"name": "p"}])
    items: list[dict[str, Any]] = [
        {"files": {"image": make_file(f"img{i}.txt", f"image {i}")}, "meta": {"i": i}} for i in range(5)
    ]
    units = collection.upload_many(items, batch_size=2, project=pid, workers=4)
    assert [u.meta for u in units] == [{"i": i} for i in range(5)]
    assert len(requests_to(backend, "POST", "data_units/")) == 3
    assert Counter(t.data_unit_id for t in Project.get(pid).tasks) == Counter(u.id for u in units)
    # re-run plus one new item whose upload the server rejects: the rest is still created
    extra = {"files": {"image": make_file("new.txt", "new image")}}
    data_files_before = backend.count("data_files")
    backend.faults.add("data_files/", method="POST", status=400, times=1, body={"file": ["rejected"]})
    with pytest.raises(UploadError) as info:
        collection.upload_many([*items[:2], extra], workers=1)
    error = info.value
    assert len(error.failures) == 1 and error.failures[0].path.startswith("item 2 image=")
    assert "rejected" in error.failures[0].reason
    assert isinstance(error.results[0], DataUnit) and error.results[2] is None
    assert backend.count("data_files") == data_files_before  # existing files were not re-sent


def test_data_unit_bulk_create(
    backend: LocalBackend, session: Session, collection: DataCollection, make_file: Any
) -> None:
    data_file = DataFile.upload(make_file("x.txt", "x"))
    ref = {"image": {"checksum": data_file.checksum, "path": "x.txt"}}
    one = DataUnit.bulk_create(collection, {"files": ref, "meta": {"n": 1}})
    many = DataUnit.bulk_create(collection.id, [{"files": ref}, {"files": ref, "groups": ["a", "b"]}])
    assert len(one) == 1 and len(many) == 2 and many[1].groups == ["a", "b"]
    created = DataUnit.create(data_collection=collection, files=ref, meta={"single": True})
    assert created.data_collection is collection
    with pytest.raises(InvalidInputError):
        DataUnit.bulk_create(collection, [{"meta": {}}])


def test_model_create_with_file_and_download(
    backend: LocalBackend, session: Session, make_file: Any, tmp_path: Path
) -> None:
    plugin = Plugin.create(code="trainer", name="Trainer")
    weights = make_file("weights.txt", "w" * 1000)
    model = Model.create(name="m1", file=weights, plugin="trainer", configuration={"lr": 0.1})
    assert requests_to(backend, "PUT", "chunked_upload/")
    (post,) = requests_to(backend, "POST", "models/")
    assert post.headers["Content-Type"] == "application/json"
    assert model.plugin is plugin and model.configuration == {"lr": 0.1}
    assert model.download(tmp_path / "dl").read_bytes() == weights.read_bytes()
    plain = Model.create(name="m2", plugin=plugin)
    assert plain.file is None and plain.plugin is plugin
    with pytest.raises(InvalidInputError, match="no file"):
        plain.download(tmp_path)
    assert repr(plain) == f"<Model {plain.id} name='m2' plugin={plugin.id}>"


def test_tasks_for_units(backend: LocalBackend, session: Session, collection: DataCollection, make_file: Any) -> None:
    (pid,) = backend.seed("projects", [{"name": "p"}])
    unit = collection.upload({"image": make_file()})
    (task,) = Task.bulk_create(pid, [unit])
    assert task.data_unit is unit


def test_rerun_after_a_failed_unit_batch_creates_each_unit_once(
    backend: LocalBackend, session: Session, collection: DataCollection, make_file: Any, tmp_path: Path
) -> None:
    (pid,) = backend.seed("projects", [{"name": "p"}])
    items: list[dict[str, Any]] = [
        {"files": {"image": make_file(f"img{i}.txt", f"image {i}")}, "meta": {"i": i}} for i in range(5)
    ]
    backend.faults.add("data_units/", method="POST", status=400, times=1, body={"detail": "busy"})
    with pytest.raises(UploadError) as info:
        collection.upload_many(items, batch_size=2, project=pid, workers=2)
    assert [f.path for f in info.value.failures] == ["item 0", "item 1"]
    assert "busy" in info.value.failures[0].reason
    assert [u is not None for u in info.value.results] == [False, False, True, True, True]
    assert backend.count("data_units") == 3
    backend.clear_log()

    units = collection.upload_many(items, batch_size=2, project=pid, workers=2)
    assert [u.meta for u in units] == [{"i": i} for i in range(5)]
    assert backend.count("data_units") == 5, "units of the failed run were not created twice"
    (post,) = requests_to(backend, "POST", "data_units/")
    assert post.body_size < 1000  # only the two missing items
    assert Counter(t.data_unit_id for t in Project.get(pid).tasks) == Counter(u.id for u in units)
    assert not list((tmp_path / "cache" / "units").glob("*.jsonl")), "a clean run forgets its journal entries"


def test_rerun_after_a_failed_task_batch_creates_only_the_missing_tasks(
    backend: LocalBackend, session: Session, collection: DataCollection, make_file: Any
) -> None:
    (pid,) = backend.seed("projects", [{"name": "p"}])
    items: list[dict[str, Any]] = [{"files": {"image": make_file(f"t{i}.txt", f"t {i}")}} for i in range(3)]
    backend.faults.add("tasks/", method="POST", status=400, times=1)
    with pytest.raises(UploadError) as info:
        collection.upload_many(items, batch_size=2, project=pid)
    assert [f.path for f in info.value.failures] == ["item 0", "item 1"]
    assert all(isinstance(u, DataUnit) for u in info.value.results), "the units themselves were created"
    units = collection.upload_many(items, batch_size=2, project=pid)
    assert backend.count("data_units") == 3
    assert Counter(t.data_unit_id for t in Project.get(pid).tasks) == Counter(u.id for u in units)


def test_a_journaled_unit_deleted_on_the_server_is_created_again(
    backend: LocalBackend, session: Session, collection: DataCollection, make_file: Any
) -> None:
    good = {"files": {"image": make_file("good.txt", "good")}}
    bad = {"files": {"image": make_file("bad.txt", "bad")}}
    backend.faults.add("data_files/", method="POST", status=400, times=1)
    with pytest.raises(UploadError) as info:
        collection.upload_many([bad, good], workers=1)
    first = info.value.results[1]
    assert isinstance(first, DataUnit) and first.id is not None
    backend.store.delete("data_units", first.id)  # removed by someone else
    units = collection.upload_many([bad, good], workers=1)
    assert len(units) == 2 and units[1].id != first.id
    assert backend.count("data_units") == 2


@pytest.mark.slow
def test_resource_uploads_resume_an_interrupted_chunked_upload(
    backend: LocalBackend, session: Session, make_file: Any
) -> None:
    chunk = 64 * 1024
    source: Path = make_file("big.txt", "0123456789abcdef", size=6 * chunk + 5)
    Plugin.create(code="p", name="P")

    def interrupt(done: int, total: int) -> None:
        if done >= 3 * chunk and not len(backend.faults):
            backend.faults.add("chunked_upload/*", method="PUT", status=503, times=None)

    def sent() -> int:
        return sum(r.body_size for r in requests_to(backend, "PUT", "chunked_upload") if r.status == 200)

    for upload in (
        lambda **kw: DataFile.upload(source, chunked=True, chunk_size=chunk, **kw),
        lambda **kw: Model.create(name="m", plugin="p", file=source, chunk_size=chunk, **kw),
    ):
        with pytest.raises(ClientError):
            upload(progress=interrupt)
        backend.faults.clear()
        backend.clear_log()
        upload()
        assert sent() < 4 * chunk, "the second call continued from the server's offset"
        with pytest.raises(ClientError):
            upload(progress=interrupt)
        backend.faults.clear()
        backend.clear_log()
        upload(resume=False)
        assert sent() > 6 * chunk, "resume=False sends the whole file again"
