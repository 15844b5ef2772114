"""Every JSON method: the seed's call shapes and the contract's reach the right route and return the server's JSON."""

from __future__ import annotations

from typing import Any

import pytest

from synapse import BackendClient, StorageCategory, StorageProvider
from synapse.testing import LocalBackend
from synapse.testing.records import RequestRecord


def last(backend: LocalBackend) -> RequestRecord:
    return backend.requests[-1]


def test_get_project(backend: LocalBackend, client: BackendClient) -> None:
    pid = backend.seed("projects", [{"name": "p", "configuration": {}}])[0]
    project = client.get_project(pid)
    assert project["id"] == pid and project["configuration"] == {}
    assert (last(backend).method, last(backend).path) == ("GET", f"projects/{pid}/")


def test_get_task_params_positional_or_keyword(backend: LocalBackend, client: BackendClient) -> None:
    pid = backend.seed("projects", [{"name": "p"}])[0]
    tid = backend.seed("tasks", [{"project": pid}])[0]
    assert client.get_task(tid, {"expand": "project"})["project"]["id"] == pid
    assert last(backend).query == {"expand": ["project"]}
    assert client.get_task(tid, params={"fields": "id"})["id"] == tid
    assert last(backend).query == {"fields": ["id"]}
    assert client.get_task(tid)["project"] == pid
    assert (last(backend).path, last(backend).query) == (f"tasks/{tid}/", {})


def test_annotate_task_data_with_and_without_schema(backend: LocalBackend, client: BackendClient) -> None:
    pid = backend.seed("projects", [{"name": "p"}])[0]
    tid = backend.seed("tasks", [{"project": pid}])[0]
    data = {"annotations": [{"type": "bbox", "coordinates": [10, 10, 100, 100]}]}
    result = client.annotate_task_data(tid, data)
    assert result["data"] == data
    record = last(backend)
    assert (record.method, record.path, record.query) == ("PUT", f"tasks/{tid}/annotate_task_data/", {})
    client.annotate_task_data(tid, data, schema="dm_schema_v1")
    assert last(backend).query == {"schema": ["dm_schema_v1"]}
    assert backend.get("tasks", tid)["data"] == data  # type: ignore[index]


def test_create_tasks_seed_list_and_contract_shape(backend: LocalBackend, client: BackendClient) -> None:
    pid = backend.seed("projects", [{"name": "p"}])[0]
    created = client.create_tasks([{"project": pid}, {"project": pid}])
    assert isinstance(created, list) and [t["project"] for t in created] == [pid, pid]
    assert (last(backend).method, last(backend).path) == ("POST", "tasks/")
    envelope = client.create_tasks({"project": pid, "data": [{"name": "a"}]})
    assert envelope["count"] == 1 and envelope["results"][0]["name"] == "a"
    assert backend.count("tasks") == 3


def test_set_tags_both_shapes(backend: LocalBackend, client: BackendClient) -> None:
    pid = backend.seed("projects", [{"name": "p"}])[0]
    t1, t2 = backend.seed("tasks", [{"project": pid}, {"project": pid}])
    tags = backend.seed("task_tags", [{"name": "a"}, {"name": "b"}])
    seed_result = client.set_tags_tasks({"task_ids": [t1, t2], "tag_ids": tags})
    assert seed_result["ids"] == [t1, t2]
    assert (last(backend).method, last(backend).path) == ("POST", "tasks/set_tags/")
    client.set_tags_tasks({"ids": [t1], "tags": tags[:1], "action": "remove"}, params={"project": pid})
    assert last(backend).query == {"project": [str(pid)]}
    assert backend.get("tasks", t1)["tags"] == tags[1:]  # type: ignore[index]
    aid = backend.seed("assignments", [{"task": t1}])[0]
    assert client.set_tags_assignments({"assignment_ids": [aid], "tag_ids": tags})["ids"] == [aid]
    assert last(backend).path == "assignments/set_tags/"


def test_task_tags(backend: LocalBackend, client: BackendClient) -> None:
    tag = backend.seed("task_tags", [{"name": "a"}])[0]
    assert client.list_task_tags()["results"][0]["id"] == tag
    assert client.get_task_tag(tag)["name"] == "a"
    assert last(backend).path == f"task_tags/{tag}/"


def test_data_collections_both_names(backend: LocalBackend, client: BackendClient) -> None:
    cid = backend.seed("data_collections", [{"name": "c", "file_specifications": [{"name": "image"}]}])[0]
    assert client.list_data_collection()["results"][0]["id"] == cid
    assert client.list_data_collections()["count"] == 1
    assert last(backend).path == "data_collections/"
    collection = client.get_data_collection(cid)
    assert collection["file_specifications"][0]["name"] == "image"
    assert last(backend).path == f"data_collections/{cid}/"
    assert last(backend).query == {"expand": ["file_specifications"]}


def test_assignments(backend: LocalBackend, client: BackendClient) -> None:
    aid = backend.seed("assignments", [{"name": "a"}])[0]
    assert client.get_assignment(aid)["id"] == aid
    page = client.list_assignments(params={"name": "a"})
    assert page["count"] == 1
    assert (last(backend).path, last(backend).query) == ("sdk/assignments/", {"name": ["a"]})
    client.list_assignments_data()
    assert last(backend).path == "sdk/assignments/data/"
    client.list_assignments_files()
    assert last(backend).path == "sdk/assignments/files/"


def test_task_list_variants(backend: LocalBackend, client: BackendClient) -> None:
    pid = backend.seed("projects", [{"name": "p"}])[0]
    backend.seed("tasks", [{"project": pid, "data": {"x": 1}}])
    assert client.list_tasks(params={"project": pid})["count"] == 1
    assert (last(backend).path, last(backend).query) == ("sdk/tasks/", {"project": [str(pid)]})
    assert client.list_tasks_data()["results"][0]["data"] == {"x": 1}
    assert last(backend).path == "sdk/tasks/data/"
    client.list_tasks_files()
    assert last(backend).path == "sdk/tasks/files/"


def test_agents(backend: LocalBackend, client: BackendClient) -> None:
    token = "a" * 40
    backend.seed("agents", [{"name": "gpu", "token": token, "status": "disconnected"}])
    agents = client.list_agents()
    assert isinstance(agents, list) and agents[0]["name"] == "gpu"
    result = client.health_check_agent(token)
    assert result["status"] == "connected"
    record = last(backend)
    assert (record.method, record.path, record.body_size) == ("POST", f"agents/{token}/connect/", 0)
    assert record.headers["Content-Type"] == "application/json"


def test_agent_token_in_path_is_masked_in_errors(client: BackendClient) -> None:
    with pytest.raises(Exception) as caught:
        client.health_check_agent("b" * 40)
    assert "b" * 40 not in str(caught.value)
    assert getattr(caught.value, "status_code", None) == 404


def test_plugins(backend: LocalBackend, client: BackendClient) -> None:
    plugin = client.create_plugin({"name": "My Plugin", "code": "my-plugin", "description": "d"})
    assert (last(backend).method, last(backend).path) == ("POST", "plugins/")
    assert client.get_plugin(plugin["id"])["code"] == "my-plugin"
    updated = client.update_plugin(plugin["id"], {"description": "Updated description"})
    assert updated["description"] == "Updated description"
    assert (last(backend).method, last(backend).path) == ("PUT", f"plugins/{plugin['id']}/")


def test_run_plugin_seed_and_contract_payloads(backend: LocalBackend, client: BackendClient) -> None:
    plugin = client.create_plugin({"name": "P", "code": "runner"})
    # The real backend refuses an action the plugin's release does not offer.
    client.create_plugin_release({"plugin": "runner", "version": "1", "config": {"actions": {"train": {}}}})
    backend.seed("agents", [{"name": "gpu", "token": "c" * 40}])
    job = client.run_plugin(plugin["id"], {"parameters": {"input": "value"}, "context": {"k": 1}})
    assert job["status"] == "PENDING" and job["params"] == {"input": "value"} and job["context"] == {"k": 1}
    assert last(backend).path == f"plugins/{plugin['id']}/run/"
    job2 = client.run_plugin("runner", {"agent": 1, "action": "train", "params": {"epochs": 1}})
    assert job2["action"] == "train"
    assert last(backend).path == "plugins/runner/run/"


def test_plugin_releases_json(backend: LocalBackend, client: BackendClient) -> None:
    client.create_plugin({"name": "P", "code": "co"})
    release = client.create_plugin_release({"plugin": "co", "version": "1.0.0", "debug": False})
    assert release["version"] == "1.0.0"
    assert last(backend).headers["Content-Type"] == "application/json"
    assert client.get_plugin_release(release["id"])["id"] == release["id"]
    assert client.get_plugin_release(release["id"], params={"expand": "plugin"})["plugin"]["code"] == "co"
    by_lookup = client.get_plugin_release_by_lookup("co@1.0.0")
    assert by_lookup["id"] == release["id"]
    assert last(backend).path == "plugin_releases/co@1.0.0/" and last(backend).query == {"expand": ["plugin"]}
    releases = client.list_plugin_releases(release["plugin"])
    assert [r["id"] for r in releases] == [release["id"]]
    assert last(backend).query == {"plugin": [str(release["plugin"])]}
    assert client.list_plugin_releases(params={"debug": "true"}) == []  # version is not a declared filter


def test_plugin_release_lookup_percent_encodes_all_but_at(backend: LocalBackend, client: BackendClient) -> None:
    plugin = backend.seed("plugins", [{"name": "P", "code": "co/de"}])[0]
    release = backend.seed("plugin_releases", [{"plugin": plugin, "version": "1.0"}])[0]
    assert client.get_plugin_release_by_lookup("co/de@1.0", expand=None)["id"] == release
    assert last(backend).query == {}
    assert client.get_plugin_release_by_lookup(release)["plugin"]["code"] == "co/de"


def test_jobs(backend: LocalBackend, client: BackendClient) -> None:
    jid = backend.seed("jobs", [{"status": "RUNNING", "action": "train"}])[0]
    assert client.list_jobs(params={"status": "RUNNING"})["count"] == 1
    assert (last(backend).path, last(backend).query) == ("jobs/", {"status": ["RUNNING"]})
    assert client.get_job(jid, params={"expand": "logs"})["id"] == jid
    assert last(backend).query == {"expand": ["logs"]}
    updated = client.update_job(jid, {"status": "SUCCEEDED", "result": {"ok": True}})
    assert updated["status"] == "SUCCEEDED" and updated["result"] == {"ok": True}
    assert (last(backend).method, last(backend).path) == ("PATCH", f"jobs/{jid}/")
    logs = client.list_job_console_logs(jid)
    assert isinstance(logs, (list, dict))
    assert last(backend).path == f"jobs/{jid}/console_logs/"


def test_update_job_sends_the_seed_status_as_given(backend: LocalBackend, client: BackendClient) -> None:
    jid = backend.seed("jobs", [{"status": "RUNNING"}])[0]
    try:
        client.update_job(jid, {"status": "completed"})
    except Exception as error:  # the server decides; the client must not rewrite or reject it
        assert getattr(error, "status_code", None) == 400
    assert (last(backend).method, last(backend).path) == ("PATCH", f"jobs/{jid}/")


def test_storages(backend: LocalBackend, client: BackendClient) -> None:
    created = client.create_storage(
        {
            "name": "My Storage",
            "provider": StorageProvider.AMAZON_S3,
            "category": StorageCategory.INTERNAL,
            "configuration": {"bucket": "b"},
            "is_default": True,
        }
    )
    assert (last(backend).method, last(backend).path) == ("POST", "storages/")
    storage = client.get_storage(created["id"])
    assert isinstance(storage, dict) and storage["provider"] == "amazon_s3"
    assert StorageProvider.parse(storage["provider"]) is StorageProvider.AMAZON_S3
    assert last(backend).query == {"with_configuration": ["true"]}
    assert client.list_storages()["count"] == 1
    default = client.get_default_storage()
    assert default["id"] == created["id"]
    assert last(backend).query == {"category": ["internal"]}


def test_default_storage_falls_back_to_first_and_none(backend: LocalBackend, client: BackendClient) -> None:
    assert client.get_default_storage() is None
    first = backend.seed("storages", [{"name": "a", "category": "internal", "provider": "wasabi"}])[0]
    assert client.get_default_storage()["id"] == first
    assert StorageProvider.parse("wasabi") == "wasabi"


def test_models_listing(backend: LocalBackend, client: BackendClient) -> None:
    pid = backend.seed("projects", [{"name": "p"}])[0]
    backend.seed("models", [{"name": "m", "project": pid}])
    assert client.list_models(params={"project": pid})["count"] == 1
    assert (last(backend).path, last(backend).query) == ("models/", {"project": [str(pid)]})


def test_ground_truth(backend: LocalBackend, client: BackendClient) -> None:
    dataset = backend.seed("ground_truth_datasets", [{"name": "d"}])[0]
    v1, v2 = backend.seed("ground_truth_dataset_versions", [{"ground_truth_dataset": dataset}] * 2)
    backend.seed("ground_truth_events", [{"ground_truth_dataset_version": v1}, {"ground_truth_dataset_version": v2}])
    version = client.get_ground_truth_version(v1)
    assert version["ground_truth_dataset"] == dataset
    assert client.list_ground_truth_versions(params={"ground_truth_dataset": dataset})["count"] == 2
    page = client.list_ground_truth_events(params={"ground_truth_dataset_versions": [v1, v2]})
    assert page["count"] == 2
    record = last(backend)
    assert record.path == "sdk/ground_truth_events/"
    assert record.query == {"ground_truth_dataset_versions": [str(v1), str(v2)], "page_size": ["100"]}


def test_data_units_and_checksums(backend: LocalBackend, client: BackendClient) -> None:
    cid = backend.seed("data_collections", [{"name": "c"}])[0]
    uid = backend.seed("data_units", [{"data_collection": cid, "meta": {"a": 1}}])[0]
    assert client.list_data_units(params={"data_collection": cid})["count"] == 1
    assert last(backend).query == {"data_collection": [str(cid)], "page_size": ["100"]}
    assert client.get_data_unit(uid, params={"fields": "id,meta"})["meta"] == {"a": 1}
    assert client.verify_data_files_checksums(["0" * 32]) == {"existing_checksums": []}
    assert (last(backend).method, last(backend).path) == ("POST", "data_files/verify_checksums/")
    assert client.data_files_verify_checksums(["0" * 32]) == {"existing_checksums": []}


def test_create_logs(backend: LocalBackend, client: BackendClient) -> None:
    result: Any = client.create_logs({"event": "e", "data": {}, "datetime": "2026-01-01T00:00:00Z"})
    assert result is None or isinstance(result, (dict, list))
    assert (last(backend).method, last(backend).path) == ("POST", "logs/")
