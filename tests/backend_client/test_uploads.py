"""Upload methods: chunked uploads, data files, organized files, collections, models and plugin releases."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from synapse import BackendClient
from synapse.errors import InvalidInputError
from synapse.testing import LocalBackend


def _file(tmp_path: Path, name: str, size: int = 1000, seed: int = 1) -> Path:
    path = tmp_path / name
    path.write_bytes(bytes((seed + i * 7) % 251 for i in range(size)))
    return path


def _md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def test_create_chunked_upload_sends_chunks_then_finalizes(
    backend: LocalBackend, client: BackendClient, tmp_path: Path
) -> None:
    path = _file(tmp_path, "large_file.zip", 2500)
    seen: list[tuple[int, ...]] = []
    result = client.create_chunked_upload(path, chunk_size=1000, on_progress=lambda *state: seen.append(state))
    assert result["id"] and result["checksum"] == _md5(path)
    calls = [(r.method, r.path) for r in backend.requests]
    assert calls[0] == ("PUT", "chunked_upload/")
    assert [m for m, _ in calls] == ["PUT", "PUT", "PUT", "POST"]
    assert seen and seen[-1] == (2500, 2500)
    status = client.get_chunked_upload(result["id"])
    assert status["completed_at"] and backend.requests[-1].path == f"chunked_upload/{result['id']}/"


def test_create_data_file_direct_and_chunked(backend: LocalBackend, client: BackendClient, tmp_path: Path) -> None:
    path = _file(tmp_path, "file.jpg")
    data_file = client.create_data_file(path)
    assert isinstance(data_file["id"], int) and data_file["checksum"] == _md5(path)
    record = backend.requests[-1]
    assert (record.method, record.path) == ("POST", "data_files/")
    assert record.headers["Content-Type"].startswith("multipart/form-data")
    backend.clear_log()
    chunked = client.create_data_file(str(path), use_chunked_upload=True, read_timeout=20)
    assert chunked["checksum"] == _md5(path)
    methods = [(r.method, r.path.split("/")[0]) for r in backend.requests]
    assert methods[0] == ("PUT", "chunked_upload") and methods[-1] == ("POST", "data_files")
    assert backend.requests[-1].headers["Content-Type"] == "application/json"


def test_create_data_file_missing_path_sends_nothing(
    backend: LocalBackend, client: BackendClient, tmp_path: Path
) -> None:
    with pytest.raises(InvalidInputError):
        client.create_data_file(tmp_path / "missing.jpg")
    assert backend.request_count == 0


def test_upload_data_file_returns_a_new_payload(backend: LocalBackend, client: BackendClient, tmp_path: Path) -> None:
    image, label = _file(tmp_path, "a.jpg", seed=2), _file(tmp_path, "a.json", 50, seed=3)
    cid = backend.seed("data_collections", [{"name": "c"}])[0]
    organized: dict[str, Any] = {"files": {"image": image, "label": label}, "meta": {"k": "v"}, "groups": "root"}
    snapshot = {**organized, "files": dict(organized["files"])}
    result = client.upload_data_file(organized_file=organized, collection_id=cid, use_chunked_upload=False)
    assert organized == snapshot
    assert result == {
        "files": {
            "image": {"checksum": _md5(image), "path": str(image)},
            "label": {"checksum": _md5(label), "path": str(label)},
        },
        "data_collection": cid,
        "meta": {"k": "v"},
        "groups": ["root"],
    }
    positional = client.upload_data_file({"files": {"image": image}}, cid, True)
    assert positional["meta"] == {} and "groups" not in positional
    units = client.create_data_units([result, positional])
    assert [u["data_collection"] for u in units] == [cid, cid]
    assert backend.requests[-1].path == "data_units/"
    single = client.create_data_units(positional)
    assert isinstance(single, dict) and single["files"]["image"]["checksum"] == _md5(image)


def test_upload_data_file_rejects_a_shapeless_input(backend: LocalBackend, client: BackendClient) -> None:
    with pytest.raises(InvalidInputError):
        client.upload_data_file({"image": "a.jpg"}, 1)
    assert backend.request_count == 0


def test_upload_data_collection_creates_units_in_batches_and_tasks(
    backend: LocalBackend, client: BackendClient, tmp_path: Path
) -> None:
    cid = backend.seed("data_collections", [{"name": "c"}])[0]
    pid = backend.seed("projects", [{"name": "p", "data_collection": cid}])[0]
    items = [{"files": {"image": _file(tmp_path, f"{i}.jpg", seed=i)}, "meta": {"i": i}} for i in range(3)]
    created = client.upload_data_collection(cid, items, project_id=pid, batch_size=2, max_workers=3)
    assert [u["meta"] for u in created] == [{"i": 0}, {"i": 1}, {"i": 2}]
    posts = [r.path for r in backend.requests if r.method == "POST" and r.path in ("data_units/", "tasks/")]
    assert posts == ["data_units/", "tasks/", "data_units/", "tasks/"]
    tasks = client.list_tasks(params={"project": pid})["results"]
    assert sorted(t["data_unit"] for t in tasks) == sorted(u["id"] for u in created)


def test_upload_data_collection_without_project_creates_no_tasks(
    backend: LocalBackend, client: BackendClient, tmp_path: Path
) -> None:
    cid = backend.seed("data_collections", [{"name": "c"}])[0]
    created = client.upload_data_collection(cid, [{"files": {"image": _file(tmp_path, "x.jpg")}}])
    assert len(created) == 1 and backend.count("tasks") == 0


def test_create_model_with_file_inside_data_seed_style(
    backend: LocalBackend, client: BackendClient, tmp_path: Path
) -> None:
    path = _file(tmp_path, "model.pkl", 3000)
    pid = backend.seed("projects", [{"name": "p"}])[0]
    data = {"name": "My Model", "project": pid, "file": str(path)}
    model = client.create_model(data)
    assert data == {"name": "My Model", "project": pid, "file": str(path)}
    assert model["name"] == "My Model" and model["chunked_upload"] and model["checksum"] == _md5(path)
    record = backend.requests[-1]
    assert (record.method, record.path, record.headers["Content-Type"]) == ("POST", "models/", "application/json")
    assert backend.requests[0].path == "chunked_upload/"


def test_create_model_with_file_keyword(backend: LocalBackend, client: BackendClient, tmp_path: Path) -> None:
    path = _file(tmp_path, "weights.bin", 500)
    model = client.create_model({"name": "m", "configuration": {"lr": 0.1}}, file=path)
    assert model["configuration"] == {"lr": 0.1} and model["size"] == 500
    plain = client.create_model({"name": "no-file"})
    assert plain["name"] == "no-file" and not plain.get("chunked_upload")


def test_get_model_downloads_the_file_by_default(backend: LocalBackend, client: BackendClient, tmp_path: Path) -> None:
    path = _file(tmp_path, "weights.bin", 700)
    model = client.create_model({"name": "m"}, file=path)
    fetched = client.get_model(model["id"], params={"expand": "metrics"})
    assert isinstance(fetched["file"], Path) and fetched["file"].read_bytes() == path.read_bytes()
    assert backend.requests[-2].query == {"expand": ["metrics"]}
    raw = client.get_model(model["id"], url_conversion=False)
    assert isinstance(raw["file"], str) and raw["file"].startswith("http")
    seed_form = client.get_model(model["id"], url_conversion={"file": lambda url: url.upper()})
    assert seed_form["file"] == raw["file"].upper()


def test_create_plugin_release_seed_style_open_file(
    backend: LocalBackend, client: BackendClient, tmp_path: Path
) -> None:
    client.create_plugin({"name": "P", "code": "co"})
    path = _file(tmp_path, "plugin.zip", 800)
    with path.open("rb") as handle:
        data = {"plugin": "co", "version": "1.0.0", "file": handle}
        release = client.create_plugin_release(data)
        assert data["file"] is handle and not handle.closed
    assert release["version"] == "1.0.0" and release["size"] == 800 and release["file"].endswith("plugin.zip")
    record = backend.requests[-1]
    assert (record.method, record.path) == ("POST", "plugin_releases/")
    assert record.headers["Content-Type"].startswith("multipart/form-data")


def test_create_plugin_release_file_keyword_encodes_fields(
    backend: LocalBackend, client: BackendClient, tmp_path: Path
) -> None:
    client.create_plugin({"name": "P", "code": "co"})
    path = _file(tmp_path, "plugin.zip", 100)
    data = {
        "plugin": "co",
        "version": "2.0",
        "config": {"actions": {"train": {}}},
        "requirements": ["numpy", "torch"],
        "debug": True,
        "description": None,
    }
    release = client.create_plugin_release(data, file=path)
    assert release["config"] == {"actions": {"train": {}}}
    assert release["requirements"] == ["numpy", "torch"] and release["debug"] is True
    assert "description" not in release
    path_in_data = client.create_plugin_release({"plugin": "co", "version": "3.0", "file": str(path)})
    assert path_in_data["size"] == 100
