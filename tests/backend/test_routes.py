"""Every route of the checklist (synapse-api.md section 11), shaped as the official client sends it."""

from __future__ import annotations

import json
from typing import Any

from ._api import Api


def test_projects_and_tasks(api: Api, sample: dict[str, Any]) -> None:
    project = api.get(f"projects/{sample['project']}/").json()
    assert project["id"] == sample["project"]
    assert isinstance(project["configuration"], dict)
    assert project["data_collection"] == sample["data_collection"]

    task_id = sample["tasks"][0]
    task = api.get(f"tasks/{task_id}/", params={"expand": "data_unit", "fields": "id,data,data_unit"}).json()
    assert set(task) == {"id", "data", "data_unit"}
    assert isinstance(task["data_unit"]["files"], dict)
    assert task["data_unit"]["files"]["image"]["url"].startswith(api.backend.url + "/media/")


def test_annotate_task_data_stores_body_as_data(api: Api, sample: dict[str, Any]) -> None:
    task_id = sample["tasks"][1]
    body = {"annotations": [{"type": "bbox", "coordinates": [1, 2, 3, 4]}]}
    response = api.put(f"tasks/{task_id}/annotate_task_data/", params={"schema": "dm_schema_v1"}, json=body)
    assert response.status_code == 200
    assert response.json()["data"] == body
    assert api.get(f"tasks/{task_id}/").json()["data"] == body


def test_sdk_tasks_page_and_variants(api: Api, sample: dict[str, Any]) -> None:
    page = api.get("sdk/tasks/", params={"url_host": "internal", "project": sample["project"], "page_size": 10})
    body = page.json()
    assert body["count"] == 30 and len(body["results"]) == 10
    assert "url_host=internal" in body["next"]
    data_page = api.get("sdk/tasks/data/", params={"page_size": 5}).json()
    assert set(data_page["results"][0]) == {"id", "data"}
    files_page = api.get("sdk/tasks/files/", params={"page_size": 5}).json()
    assert isinstance(files_page["results"][0]["files"], list)
    assert files_page["results"][0]["files"][0]["name"] == "image"


def test_create_tasks_all_shapes(api: Api, sample: dict[str, Any]) -> None:
    project, unit = sample["project"], sample["data_units"][0]
    new = api.post("tasks/", json={"project": project, "data": [{"data_unit": unit}, {"data_unit": unit}]})
    assert new.status_code == 201
    created = new.json()
    assert created["count"] == 2 and [t["project"] for t in created["results"]] == [project, project]
    as_list = api.post("tasks/", json=[{"project": project, "data_unit": unit}])
    assert as_list.status_code == 201 and isinstance(as_list.json(), list) and as_list.json()[0]["id"]
    single = api.post("tasks/", json={"project": project, "data_unit": unit})
    assert single.status_code == 201 and single.json()["data_unit"] == unit


def test_create_task_validation(api: Api, sample: dict[str, Any]) -> None:
    wrong_type = api.post("tasks/", json={"project": "abc"})
    assert wrong_type.status_code == 400
    assert wrong_type.json() == {"project": ["A valid integer is required."]}
    missing = api.post("tasks/", json={"project": 999})
    assert missing.json() == {"project": ['Invalid pk "999" - object does not exist.']}
    assert api.post("tasks/", json={"data": []}).json() == {"project": ["This field is required."]}


def test_set_tags_both_shapes(api: Api, sample: dict[str, Any]) -> None:
    tasks, tags = sample["tasks"][:2], sample["task_tags"]
    response = api.post("tasks/set_tags/", json={"ids": tasks, "tags": [tags[1]], "action": "add"})
    assert response.status_code == 200 and response.json()["action"] == "add"
    assert tags[1] in api.get(f"tasks/{tasks[0]}/").json()["tags"]
    seed_shape = api.post("tasks/set_tags/", json={"task_ids": tasks, "tag_ids": [tags[1]], "action": "remove"})
    assert seed_shape.status_code == 200
    assert tags[1] not in api.get(f"tasks/{tasks[0]}/").json()["tags"]
    assignment = api.get("sdk/assignments/").json()["results"][0]["id"]
    response = api.post("assignments/set_tags/", json={"assignment_ids": [assignment], "tag_ids": [tags[0]]})
    assert response.status_code == 200
    assert api.get(f"assignments/{assignment}/").json()["tags"] == [tags[0]]
    tagged = api.get("sdk/tasks/", params={"tags": tags[0], "expand": "tags"}).json()
    assert tagged["count"] >= 1


def test_task_tags(api: Api, sample: dict[str, Any]) -> None:
    page = api.get("task_tags/").json()
    assert page["count"] == 2
    assert api.get(f"task_tags/{page['results'][0]['id']}/").json()["name"] == "review"


def test_data_collections(api: Api, sample: dict[str, Any]) -> None:
    assert api.get("data_collections/").json()["count"] == 1
    collection = api.get(f"data_collections/{sample['data_collection']}/", params={"expand": "file_specifications"})
    specs = collection.json()["file_specifications"]
    image = next(s for s in specs if s["name"] == "image")
    assert image["is_required"] is True and image["is_primary"] is True


def test_data_units_list_and_get(api: Api, sample: dict[str, Any]) -> None:
    page = api.get("data_units/", params={"data_collection": sample["data_collection"], "page_size": 100}).json()
    assert page["count"] == 30
    assert all(isinstance(unit["files"], dict) for unit in page["results"])
    unit = api.get(f"data_units/{sample['data_units'][0]}/", params={"expand": "data_collection"}).json()
    assert unit["data_collection"]["id"] == sample["data_collection"]


def test_assignments(api: Api, sample: dict[str, Any]) -> None:
    page = api.get("sdk/assignments/", params={"project": sample["project"]}).json()
    assert page["count"] == 20
    one = api.get(f"assignments/{page['results'][0]['id']}/", params={"expand": "task.data_unit"}).json()
    assert isinstance(one["task"]["data_unit"]["files"], dict)
    assert api.get("sdk/assignments/data/").json()["count"] == 20
    assert api.get("sdk/assignments/files/").json()["count"] == 20


def test_agents(api: Api, sample: dict[str, Any]) -> None:
    agents = api.get("agents/").json()["results"]
    assert agents[0]["status"] == "connected" and "token" not in agents[0]
    # health_check_agent: Content-Type json, empty body
    response = api.post(
        f"agents/{sample['agent_token']}/connect/", data=b"", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 200 and response.json()["status"] == "connected"
    import requests

    only_agent = requests.post(
        api.url(f"agents/{sample['agent_token']}/connect/"),
        headers={"SYNAPSE-Agent": f"Token {sample['agent_token']}", "Content-Type": "application/json"},
        timeout=5,
    )
    assert only_agent.status_code == 200
    assert api.post("agents/" + "f" * 40 + "/connect/", json={}).status_code == 404


def test_agent_token_is_shown_once(api: Api) -> None:
    created = api.create("agents/", {"name": "gpu", "token": "chosen-by-client"})
    token = created["token"]
    assert len(token) == 40 and all(c in "0123456789abcdef" for c in token)
    assert created["node_install_script"] == api.url(f"agents/{token}/node_install_script/")
    for read in (
        api.get(f"agents/{created['id']}/").json(),
        api.get("agents/").json()["results"][0],
        api.patch(f"agents/{created['id']}/", json={"name": "gpu2"}).json(),
    ):
        assert "token" not in read and "node_install_script" not in read and read["id"] == created["id"]
    script = api.session.get(created["node_install_script"], headers={"Synapse-Access-Token": ""}, timeout=5)
    assert script.status_code == 200 and script.text.startswith("#!/bin/sh")
    assert api.post(f"agents/{token}/connect/", data=b"").json()["status"] == "connected"


def test_project_needs_a_title(api: Api) -> None:
    missing = api.post("projects/", json={"description": "x"})
    assert missing.status_code == 400 and missing.json() == {"title": ["This field is required."]}
    blank = api.post("projects/", json={"name": "  "})
    assert blank.status_code == 400 and blank.json() == {"title": ["This field may not be blank."]}
    named = api.create("projects/", {"name": "Cats"})
    assert named["title"] == named["name"] == "Cats"
    assert api.put(f"projects/{named['id']}/", json={"description": "no title"}).status_code == 400
    assert api.patch(f"projects/{named['id']}/", json={"description": "kept title"}).json()["title"] == "Cats"


def test_plugins_crud_and_put_merges(api: Api) -> None:
    plugin = api.create("plugins/", {"name": "P", "code": "p-code", "description": "first"})
    assert api.get(f"plugins/{plugin['id']}/").json()["code"] == "p-code"
    updated = api.put(f"plugins/{plugin['id']}/", json={"description": "second"}).json()
    assert updated["description"] == "second" and updated["name"] == "P"
    duplicate = api.post("plugins/", json={"name": "P2", "code": "p-code"})
    assert duplicate.status_code == 400 and "code" in duplicate.json()


def test_plugin_releases_json_multipart_and_lookup(api: Api) -> None:
    plugin = api.create("plugins/", {"name": "Co De", "code": "co/de"})
    release = api.create("plugin_releases/", {"plugin": "co/de", "version": "1.0", "debug": False})
    assert release["plugin"] == plugin["id"] and release["requirements"] == []
    multipart = api.post(
        "plugin_releases/",
        data={
            "plugin": "co/de",
            "version": "2.0",
            "config": json.dumps({"actions": {"train": {}}}),
            "requirements": ["numpy", "pillow"],
            "debug": "True",
        },
        files={"file": ("plugin.zip", b"PK\x03\x04 fake zip")},
    )
    assert multipart.status_code == 201, multipart.text
    body = multipart.json()
    assert body["config"] == {"actions": {"train": {}}}
    assert body["requirements"] == ["numpy", "pillow"] and body["debug"] is True
    assert api.get(body["file"]).content == b"PK\x03\x04 fake zip"
    by_lookup = api.get("plugin_releases/co%2Fde@2.0/", params={"expand": "plugin"})
    assert by_lookup.status_code == 200 and by_lookup.json()["plugin"]["code"] == "co/de"
    assert api.get(f"plugin_releases/{release['id']}/").json()["version"] == "1.0"
    listed = api.get("plugin_releases/", params={"plugin": plugin["id"]}).json()
    assert listed["count"] == 2
    assert api.get("plugin_releases/co%2Fde@9.9/").status_code == 404


def test_plugin_releases_by_code_filter_and_decoded_lookup(api: Api) -> None:
    plugin = api.create("plugins/", {"name": "Co De", "code": "co/de"})
    other = api.create("plugins/", {"name": "Other", "code": "other"})
    for code, version in (("co/de", "1.0"), ("co/de", "2.0"), ("other", "1.0")):
        api.create("plugin_releases/", {"plugin": code, "version": version})
    by_code = api.get("plugin_releases/", params={"plugin": "co/de"}).json()
    assert by_code["count"] == 2 and {r["plugin"] for r in by_code["results"]} == {plugin["id"]}
    assert api.get("plugin_releases/", params={"plugin": str(other["id"])}).json()["count"] == 1
    missing = api.get("plugin_releases/", params={"plugin": "missing"})
    assert missing.status_code == 400 and list(missing.json()) == ["plugin"]  # django-filter: invalid choice
    # A proxy or WSGI server may hand over the lookup already decoded, slash and all.
    decoded = api.get("plugin_releases/co/de@2.0/", params={"expand": "plugin"})
    assert decoded.status_code == 200 and decoded.json()["plugin"]["code"] == "co/de"
    assert api.get("plugin_releases/co%2Fde%402.0/").json()["version"] == "2.0"
    assert api.get("plugin_releases/co/de/").status_code == 404


def test_run_plugin_by_id_and_code(api: Api, sample: dict[str, Any]) -> None:
    body = {"agent": sample["agent"], "action": "train", "params": {"epochs": 1}, "language": "ko"}
    job = api.post(f"plugins/{sample['plugin']}/run/", json=body)
    assert job.status_code == 201 and job.json()["status"] == "PENDING"
    assert job.json()["plugin_release"] == sample["plugin_release"]
    seed_shape = api.post("plugins/sample-trainer/run/", json={"parameters": {"x": 1}, "context": {}, "zzz": 1})
    assert seed_shape.status_code == 201 and seed_shape.json()["params"] == {"x": 1}
    assert api.post("plugins/unknown/run/", json={}).status_code == 404
    offered = api.get(f"plugin_releases/{sample['plugin_release']}/").json()["available_actions"]
    assert offered == ["train", "inference"]
    refused = api.post("plugins/sample-trainer/run/", json={"action": "deployment", "params": {}})
    assert refused.status_code == 400 and refused.json() == {"action": ['"deployment" is not a valid choice.']}


def test_release_actions_follow_its_config(api: Api) -> None:
    api.create("plugins/", {"name": "P", "code": "p"})
    release = api.create(
        "plugin_releases/",
        {"plugin": "p", "version": "1", "config": {"actions": {"export": {}}}, "available_actions": ["forged"]},
    )
    assert release["available_actions"] == ["export"]
    patched = api.patch(f"plugin_releases/{release['id']}/", json={"config": {"actions": ["a", "b"]}}).json()
    assert patched["available_actions"] == ["a", "b"]
    assert api.post("plugins/p/run/", json={"action": "b"}).status_code == 201
    assert api.post("plugins/p/run/", json={"action": "export"}).status_code == 400


def test_jobs_list_get_patch_logs(api: Api, sample: dict[str, Any]) -> None:
    job = api.post(f"plugins/{sample['plugin']}/run/", json={"action": "inference", "params": {}}).json()
    assert api.get("jobs/").json()["count"] == 1
    got = api.get(f"jobs/{job['id']}/", params={"expand": "plugin_release"}).json()
    assert got["plugin_release"]["version"] == "1.0.0"
    patched = api.patch(
        f"jobs/{job['id']}/",
        json={"status": "stopped", "progress_record": {"p": 1}, "console_logs": [{"message": "hi", "level": "info"}]},
    )
    assert patched.status_code == 200 and patched.json()["status"] == "STOPPED"
    assert patched.json()["progress_record"] == {"p": 1}
    logs = api.get(f"jobs/{job['id']}/console_logs/").json()
    assert logs["count"] == len(logs["results"]) and any(line["message"] == "hi" for line in logs["results"])
    assert {"message", "level", "created"} <= set(logs["results"][0])
    bad = api.patch(f"jobs/{job['id']}/", json={"status": "nope"})
    assert bad.status_code == 400 and "status" in bad.json()
    assert api.get("jobs/3f2a1b4c-0000-0000-0000-000000000000/").status_code == 404


def test_storages(api: Api, sample: dict[str, Any]) -> None:
    internal = api.get("storages/", params={"category": "internal"}).json()
    assert internal["count"] == 1 and internal["results"][0]["is_default"] is True
    assert "configuration" not in internal["results"][0]
    storage_id = sample["storages"][1]
    for truthy in ("true", "True", "1"):
        storage = api.get(f"storages/{storage_id}/", params={"with_configuration": truthy}).json()
        assert storage["configuration"]["bucket_name"] == "sample"
        assert storage["category"] == "external" and storage["provider"] == "amazon_s3"
    assert "configuration" not in api.get(f"storages/{storage_id}/").json()
    created = api.create("storages/", {"name": "x", "category": "external", "provider": "smb", "configuration": {}})
    assert created["provider"] == "smb"


def test_models(api: Api, sample: dict[str, Any]) -> None:
    assert api.get("models/").json()["count"] == 1
    model = api.get(f"models/{sample['model']}/").json()
    assert model["file"].startswith("http") and api.get(model["file"]).status_code == 200
    expanded = api.get(f"models/{sample['model']}/", params={"expand": "plugin"}).json()
    assert expanded["plugin"]["code"] == "sample-trainer"


def test_ground_truth(api: Api, sample: dict[str, Any]) -> None:
    version = sample["ground_truth_dataset_version"]
    other = api.create("ground_truth_dataset_versions/", {"ground_truth_dataset": sample["ground_truth_dataset"]})
    api.create("ground_truth_events/", {"ground_truth_dataset_version": other["id"], "files": {}})
    query = [("ground_truth_dataset_versions", version), ("ground_truth_dataset_versions", other["id"])]
    both = api.get("sdk/ground_truth_events/", params=[*query, ("page_size", 100)]).json()
    assert both["count"] == 11
    only = api.get("sdk/ground_truth_events/", params={"ground_truth_dataset_versions": other["id"]}).json()
    assert only["count"] == 1
    assert all(isinstance(e["files"], dict) for e in both["results"])
    got = api.get(f"ground_truth_dataset_versions/{version}/").json()
    assert got["ground_truth_dataset"] == sample["ground_truth_dataset"]
    listed = api.get("ground_truth_dataset_versions/", params={"ground_truth_dataset": sample["ground_truth_dataset"]})
    assert listed.json()["count"] == 2
    assert api.get("ground_truths/", params={"ground_truth_dataset_versions": version}).json()["count"] == 10


def test_logs_serve_applications_and_delete(api: Api) -> None:
    one = api.post("logs/", json={"event": "e", "data": {}, "datetime": "2024-01-01T00:00:00Z", "job": "abc"})
    assert one.status_code == 201 and one.json()["id"]
    many = api.post("logs/", json=[{"event": "a"}, {"event": "b"}])
    assert many.status_code == 201 and len(many.json()) == 2
    app = api.create("serve_applications/", {"job": "a-uuid", "status": "running", "data": {}})
    assert api.get("serve_applications/").json()["count"] == 1
    deleted = api.delete(f"serve_applications/{app['id']}/")
    assert deleted.status_code == 204 and deleted.content == b""
    assert api.get(f"serve_applications/{app['id']}/").status_code == 404


def test_generic_crud_patch_put_delete(api: Api, sample: dict[str, Any]) -> None:
    project = api.create("projects/", {"name": "A", "configuration": {"x": 1}})
    assert project["created"] and project["modified"]
    patched = api.patch(f"projects/{project['id']}/", json={"name": "B", "id": 999}).json()
    assert patched == {**patched, "id": project["id"], "name": "B", "configuration": {"x": 1}}
    replaced = api.put(f"projects/{project['id']}/", json={"name": "C"}).json()
    assert replaced["name"] == "C" and "configuration" not in replaced and replaced["created"] == project["created"]
    assert api.delete(f"projects/{project['id']}/").status_code == 204
    assert api.delete(f"projects/{project['id']}/").status_code == 404


def test_declared_filters_and_ordering_fields(api: Api, sample: dict[str, Any]) -> None:
    ids = sample["tasks"]
    desc = api.get("sdk/tasks/", params={"ordering": "-id", "page_size": 3}).json()["results"]
    assert [t["id"] for t in desc] == sorted(ids, reverse=True)[:3]
    by_status = api.get("sdk/tasks/", params={"ordering": "status,-id", "fields": "id,status"}).json()
    assert by_status["results"][0]["status"] == "completed"
    assert set(by_status["results"][0]) == {"id", "status"}
    unknown = api.get("sdk/tasks/", params={"ordering": "-no_such_field", "page_size": 3}).json()
    assert [t["id"] for t in unknown["results"]] == ids[:3]
    assert api.get("sdk/tasks/", params={"data_unit": sample["data_units"][4]}).json()["count"] == 1
    assert api.get("sdk/tasks/", params={"has_data": "false"}).json()["count"] == 30
    assert api.get("sdk/tasks/", params={"has_data": "maybe"}).json()["count"] == 30  # ignored, as DRF does
    # Undeclared parameters are ignored: no status filter, no lookups, no nested fields.
    for params in (
        {"status": "completed"},
        {"id__in": f"{ids[0]},{ids[2]}"},
        {"no_such_field": "x"},
        {"search": "x", "format": "json"},
    ):
        assert api.get("sdk/tasks/", params=params).json()["count"] == 30, params
    assert api.get("data_units/", params={"meta__label": "cat"}).json()["count"] == 30
    bad = api.get("sdk/tasks/", params={"project": "999", "data_unit": "x", "is_discarded": "no"})
    assert bad.status_code == 400 and bad.json() == {
        "project": ["Select a valid choice. That choice is not one of the available choices."],
        "data_unit": ["Select a valid choice. That choice is not one of the available choices."],
    }


def test_filters_that_reach_through_other_rows(api: Api, sample: dict[str, Any]) -> None:
    version = sample["ground_truth_dataset_version"]
    by_version = api.get("sdk/ground_truth_events/", params=[("ground_truth_dataset_versions", version)]).json()
    assert by_version["count"] == 10
    by_dataset = api.get("sdk/ground_truth_events/", params={"ground_truth_dataset": sample["ground_truth_dataset"]})
    assert by_dataset.json()["count"] == 10
    bad = api.get("sdk/ground_truth_events/", params=[("ground_truth_dataset_versions", "x")])
    assert bad.status_code == 400 and bad.json() == {"ground_truth_dataset_versions": ['"x" is not a valid value.']}
    tagged = api.get("sdk/assignments/", params={"task_tags": str(sample["task_tags"][0])}).json()
    assert tagged["count"] == 2  # tasks 0 and 10 carry the tag, and both have an assignment
    wrong = api.get("sdk/assignments/", params={"created_after": "yesterday", "id__in": "1,x"})
    assert wrong.status_code == 400 and wrong.json() == {
        "id__in": ["Enter a number."],
        "created_after": ["Enter a valid date/time."],
    }
    assert api.get("sdk/assignments/", params={"created_after": "2000-01-01T00:00:00Z"}).json()["count"] == 20
    assert api.get("sdk/assignments/", params={"created_before": "2000-01-01"}).json()["count"] == 0


def test_trailing_slash_paths_never_redirect(api: Api, sample: dict[str, Any]) -> None:
    response = api.get(f"projects/{sample['project']}", allow_redirects=False)
    assert response.status_code == 404 and response.json() == {"detail": "Not found."}


def test_wrong_method_is_405_json(api: Api) -> None:
    response = api.delete("tasks/")
    assert response.status_code == 405
    assert "detail" in response.json() and "GET" in response.headers["Allow"]
