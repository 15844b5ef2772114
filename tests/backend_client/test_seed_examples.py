"""Every code example of the seed's BackendClient document, run as written against LocalBackend.

Only the import line, the base URL and token (those of the local backend) change. The ids
the examples use (project 123, task 456, ...) are created with exactly those ids first.
Placeholders that cannot run as written are replaced by real values, each marked SUBSTITUTED.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from synapse import BackendClient, ClientError, StorageCategory, StorageProvider
from synapse.errors import BadRequestError
from synapse.testing import LocalBackend


@pytest.fixture
def seeded(backend: LocalBackend) -> LocalBackend:
    """The objects the examples refer to, under the ids the examples use."""
    backend.seed("data_collections", [{"id": 123, "name": "c", "file_specifications": [{"name": "image"}]}])
    backend.seed("projects", [{"id": 123, "name": "p", "configuration": {}, "data_collection": 123}])
    backend.seed("data_units", [{"id": i, "data_collection": 123} for i in (789, 790)])
    backend.seed("tasks", [{"id": 456, "project": 123, "data_unit": 789}, {"id": 457, "project": 123}])
    backend.seed("task_tags", [{"id": i, "name": f"tag{i}"} for i in (1, 2, 3)])
    backend.seed("assignments", [{"id": i, "task": 456, "project": 123} for i in (789, 790)])
    backend.seed("agents", [{"name": "a", "token": "agent-token-123"}])
    backend.seed("plugins", [{"id": 123, "name": "P", "code": "p"}])
    backend.seed("plugin_releases", [{"id": 456, "plugin": 123, "version": "0.9.0"}])
    backend.seed("jobs", [{"id": 789, "status": "RUNNING", "action": "train"}])
    backend.seed(
        "storages",
        [
            {
                "id": 123,
                "name": "s",
                "category": "internal",
                "provider": "amazon_s3",
                "configuration": {},
                "is_default": True,
            }
        ],
    )
    backend.seed("models", [{"id": 456, "name": "m", "project": 123}])
    backend.seed("ground_truth_datasets", [{"id": 1, "name": "d"}])
    backend.seed("ground_truth_dataset_versions", [{"id": 123, "ground_truth_dataset": 1}])
    backend.seed("ground_truth_events", [{"ground_truth_dataset_version": 123, "files": {}}])
    return backend


@pytest.fixture
def client(seeded: LocalBackend) -> BackendClient:
    return BackendClient(base_url=seeded.url, api_token=seeded.token)


def _file(tmp_path: Path, name: str, size: int = 2048) -> Path:
    path = tmp_path / name
    path.write_bytes(bytes(i % 251 for i in range(size)))
    return path


def _md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def test_constructor_example(seeded: LocalBackend, monkeypatch: pytest.MonkeyPatch) -> None:
    client = BackendClient(
        base_url=seeded.url,
        api_token=seeded.token,
    )
    assert client.get_project(123)["id"] == 123
    # as written: os.environ['SYNAPSE_API_TOKEN'] = ...; monkeypatch restores it after the test
    monkeypatch.setitem(os.environ, "SYNAPSE_API_TOKEN", seeded.token)
    client = BackendClient(base_url=seeded.url)
    assert client.get_project(123)["id"] == 123
    assert seeded.requests[-1].headers["Synapse-Access-Token"] == f"Token {seeded.token}"


def test_annotation_examples(seeded: LocalBackend, client: BackendClient) -> None:
    project = client.get_project(123)
    assert project["name"] == "p"
    task = client.get_task(456, params={"expand": "data_unit"})
    assert task["data_unit"]["id"] == 789
    result = client.annotate_task_data(456, {"annotations": [{"type": "bbox", "coordinates": [10, 10, 100, 100]}]})
    assert result["data"]["annotations"][0]["coordinates"] == [10, 10, 100, 100]
    tasks = client.list_tasks(params={"project": 123})
    assert tasks["count"] == 2
    all_tasks = client.list_tasks(list_all=True)
    items, count = all_tasks
    assert count == 2 and sorted(t["id"] for t in items) == [456, 457]
    new_tasks = client.create_tasks([{"project": 123, "data_unit": 789}, {"project": 123, "data_unit": 790}])
    assert [t["data_unit"] for t in new_tasks] == [789, 790]
    client.set_tags_tasks({"task_ids": [456, 457], "tag_ids": [1, 2, 3]})
    assert seeded.get("tasks", 457)["tags"] == [1, 2, 3]  # type: ignore[index]


def test_chunked_upload_example(client: BackendClient, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # SUBSTITUTED: '/path/to/large_file.zip' is a placeholder; a real temporary file is uploaded
    large_file = _file(tmp_path, "large_file.zip", 100_000)
    result = client.create_chunked_upload(Path(large_file))
    print(f"Upload completed: {result}")
    assert result["checksum"] == _md5(large_file) and result["completed_at"]
    assert "Upload completed: {" in capsys.readouterr().out


def test_data_collection_examples(seeded: LocalBackend, client: BackendClient, tmp_path: Path) -> None:
    collections = client.list_data_collection()
    assert collections["results"][0]["id"] == 123
    collection = client.get_data_collection(123)
    file_specs = collection["file_specifications"]
    assert file_specs[0]["name"] == "image"
    # SUBSTITUTED: '/path/to/file.jpg' and '/path/to/large_file.zip' are placeholders
    image, archive = _file(tmp_path, "file.jpg"), _file(tmp_path, "large_file.zip", 5000)
    data_file = client.create_data_file(Path(image))
    assert isinstance(data_file["id"], int) and data_file["checksum"] == _md5(image)
    large_file = client.create_data_file(Path(archive), use_chunked_upload=True)
    assert large_file["checksum"] == _md5(archive)
    assert any(r.path.startswith("chunked_upload/") for r in seeded.requests)
    # SUBSTITUTED: {'files': {...}, 'meta': {...}} gets a real spec -> path dict and a real meta
    result = client.upload_data_file(
        organized_file={"files": {"image": image}, "meta": {"source": "seed"}},
        collection_id=123,
        use_chunked_upload=False,
    )
    assert result == {
        "files": {"image": {"checksum": _md5(image), "path": str(image)}},
        "data_collection": 123,
        "meta": {"source": "seed"},
    }
    # SUBSTITUTED: each {...} file entry gets a real {checksum, path}. The item shape is the
    # seed's [{'id', 'file'}]: it is sent as given and the server refuses it (its items are
    # {data_collection, files}); the official client refuses it before sending
    entry = {"checksum": _md5(image), "path": str(image)}
    with pytest.raises(ClientError) as refused:
        client.create_data_units([{"id": 1, "file": entry}, {"id": 2, "file": entry}])
    assert refused.value.status_code == 400 and "files" in str(refused.value)
    record = seeded.requests[-1]
    assert (record.method, record.path, record.headers["Content-Type"]) == ("POST", "data_units/", "application/json")


def test_hitl_examples(seeded: LocalBackend, client: BackendClient) -> None:
    assignment = client.get_assignment(789)
    assert assignment["task"] == 456
    assignments = client.list_assignments(params={"project": 123})
    assert assignments["count"] == 2
    all_assignments = client.list_assignments(list_all=True)
    items, count = all_assignments
    assert count == 2 and sorted(a["id"] for a in items) == [789, 790]
    client.set_tags_assignments({"assignment_ids": [789, 790], "tag_ids": [1, 2]})
    assert seeded.get("assignments", 790)["tags"] == [1, 2]  # type: ignore[index]


def test_integration_examples(seeded: LocalBackend, client: BackendClient, tmp_path: Path) -> None:
    status = client.health_check_agent("agent-token-123")
    assert status["status"] == "connected"
    plugin = client.get_plugin(123)
    assert plugin["code"] == "p"
    new_plugin = client.create_plugin({"name": "My Plugin", "description": "Plugin description"})
    assert new_plugin["name"] == "My Plugin"
    updated = client.update_plugin(123, {"description": "Updated description"})
    assert updated["description"] == "Updated description"
    # SUBSTITUTED: 'context': {...} gets a real dict
    result = client.run_plugin(123, {"parameters": {"input": "value"}, "context": {"user": 1}})
    assert result["status"] == "PENDING" and result["params"] == {"input": "value"}
    # SUBSTITUTED: '/path/to/plugin.zip' is a placeholder; a real temporary file is opened
    plugin_zip = _file(tmp_path, "plugin.zip", 300)
    with open(plugin_zip, "rb") as handle:
        release = client.create_plugin_release({"plugin": 123, "version": "1.0.0", "file": handle})
    assert release["version"] == "1.0.0" and release["size"] == 300
    release_info = client.get_plugin_release(456)
    assert release_info["version"] == "0.9.0"


def test_job_examples(seeded: LocalBackend, client: BackendClient) -> None:
    # The seed's lower-case status is not one of the filter's choices: DRF answers 400.
    with pytest.raises(BadRequestError, match="Select a valid choice"):
        client.list_jobs(params={"status": "running"})
    jobs = client.list_jobs(params={"status": "RUNNING"})
    assert set(jobs) >= {"count", "results"} and jobs["count"] == 1
    job = client.get_job(789, params={"expand": "logs"})
    assert job["id"] == 789
    client.update_job(789, {"status": "completed"})
    record = seeded.requests[-1]
    assert (record.method, record.path) == ("PATCH", "jobs/789/")
    # sent as given; this server normalises the seed's lower-case status to SUCCEEDED
    assert seeded.get("jobs", 789)["status"] == "SUCCEEDED"  # type: ignore[index]
    logs = client.list_job_console_logs(789)
    assert "results" in logs


def test_storage_examples(seeded: LocalBackend, client: BackendClient) -> None:
    storages = client.list_storages()
    assert storages["count"] == 1
    storage = client.get_storage(123)
    assert storage["provider"] == StorageProvider.AMAZON_S3 and storage["category"] == StorageCategory.INTERNAL
    # SUBSTITUTED: 'configuration': {...} gets a real dict
    new_storage = client.create_storage(
        {"name": "My Storage", "provider": "amazon_s3", "configuration": {"bucket": "b"}}
    )
    assert new_storage["name"] == "My Storage" and new_storage["configuration"] == {"bucket": "b"}


def test_ml_examples(seeded: LocalBackend, client: BackendClient, tmp_path: Path) -> None:
    models = client.list_models(params={"project": 123})
    assert models["count"] == 1
    model = client.get_model(456, params={"expand": "metrics"})
    assert model["id"] == 456
    # SUBSTITUTED: '/path/to/model.pkl' is a placeholder; a real temporary file is uploaded
    model_pkl = _file(tmp_path, "model.pkl", 4000)
    new_model = client.create_model({"name": "My Model", "project": 123, "file": str(model_pkl)})
    assert new_model["name"] == "My Model" and new_model["checksum"] == _md5(model_pkl)
    events = client.list_ground_truth_events(params={"ground_truth_dataset_versions": [123]}, list_all=True)
    items, count = events
    assert count == 1 and [e["ground_truth_dataset_version"] for e in items] == [123]
    version = client.get_ground_truth_version(123)
    assert version["ground_truth_dataset"] == 1


def test_storage_models() -> None:
    assert [c.name for c in StorageCategory] == ["INTERNAL", "EXTERNAL"]
    listed = {"AMAZON_S3", "AZURE", "DIGITAL_OCEAN", "FILE_SYSTEM", "FTP", "SFTP", "MINIO", "GCP"}
    assert listed <= {p.name for p in StorageProvider}


def test_error_handling_example(client: BackendClient, capsys: pytest.CaptureFixture[str]) -> None:
    try:
        project = client.get_project(999)
    except ClientError as e:
        print(f"API Error: {e}")
        print(f"Status Code: {e.status_code}")
        print(f"Response: {e.response}")
    else:
        pytest.fail(f"expected a ClientError, got {project!r}")
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("API Error: ") and "404" in out[0]
    assert out[1] == "Status Code: 404" and out[2].startswith("Response: ")


def test_pagination_examples(seeded: LocalBackend, client: BackendClient) -> None:
    tasks_page1 = client.list_tasks(params={"page": 1, "page_size": 100})
    assert tasks_page1["count"] == 2 and len(tasks_page1["results"]) == 2
    all_tasks = client.list_tasks(list_all=True)
    items, count = all_tasks
    assert count == len(list(items)) == 2


def test_url_conversion_example(seeded: LocalBackend, client: BackendClient) -> None:
    seeded.seed("tasks", [{"project": 123, "files": {"image": "/media/a.jpg"}}])
    tasks = client.list_tasks(url_conversion={"files": lambda url: f"https://cdn.example.com{url}"})
    # without list_all the page comes back as the server sent it (the contract applies
    # url_conversion only while walking with list_all=True)
    assert tasks["results"][-1]["files"] == {"image": "/media/a.jpg"}
    converted, _ = client.list_tasks(
        url_conversion={"files": lambda url: f"https://cdn.example.com{url}"}, list_all=True
    )
    assert [t["files"]["image"] for t in converted if t.get("files")] == ["https://cdn.example.com/media/a.jpg"]
