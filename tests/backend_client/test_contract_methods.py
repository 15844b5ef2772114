"""Methods of contract section 7 beyond the seed's list, and the facade agreeing with the object model."""

from __future__ import annotations

from typing import Any

import pytest

from synapse import BackendClient, NotFoundError, Project
from synapse.testing import LocalBackend


def test_annotate_task_data_batch_reports_each_task(backend: LocalBackend, client: BackendClient) -> None:
    pid = backend.seed("projects", [{"name": "p"}])[0]
    t1, t2 = backend.seed("tasks", [{"project": pid}, {"project": pid}])
    data = {"annotations": [{"type": "bbox", "coordinates": [1, 2, 3, 4]}]}
    items: dict[int | str, Any] = {t1: data, t2: data, 999: data, "../x": data}
    outcome = client.annotate_task_data_batch(items, max_workers=3)
    assert outcome[t1]["success"] and outcome[t1]["error"] is None and outcome[t1]["response"]["data"] == data
    assert outcome[t2]["success"] and backend.get("tasks", t2)["data"] == data  # type: ignore[index]
    assert outcome[999] == {"success": False, "error": outcome[999]["error"], "response": None}
    assert "404" in outcome[999]["error"]
    assert not outcome["../x"]["success"] and outcome["../x"]["error"]
    puts = sorted(r.path for r in backend.requests if r.method == "PUT")
    assert puts == sorted(f"tasks/{t}/annotate_task_data/" for t in (t1, t2, 999))
    pairs = client.annotate_task_data_batch([(t1, {"x": 1})], schema="dm_schema_v1")
    assert pairs[t1]["success"] and backend.requests[-1].query == {"schema": ["dm_schema_v1"]}


def test_list_ground_truths_request_shape(backend: LocalBackend, client: BackendClient) -> None:
    page = {"count": 1, "next": None, "previous": None, "results": [{"id": 1, "files": {}}]}
    backend.faults.add("ground_truths/", status=200, times=2, body=page)
    assert client.list_ground_truths(params={"ground_truth_dataset": 3}) == page
    record = backend.requests[-1]
    assert (record.method, record.path) == ("GET", "ground_truths/")
    assert record.query == {"ground_truth_dataset": ["3"], "page_size": ["100"]}
    items, count = client.list_ground_truths(list_all=True)
    assert count == 1 and list(items) == [{"id": 1, "files": {}}]


def test_ground_truth_event_variants(backend: LocalBackend, client: BackendClient) -> None:
    dataset = backend.seed("ground_truth_datasets", [{"name": "d"}])[0]
    version = backend.seed("ground_truth_dataset_versions", [{"ground_truth_dataset": dataset}])[0]
    backend.seed("ground_truth_events", [{"ground_truth_dataset_version": version}])
    assert client.list_ground_truth_events_data(params={"ground_truth_dataset_versions": [version]})["count"] == 1
    assert backend.requests[-1].path == "sdk/ground_truth_events/data/"
    assert backend.requests[-1].query["page_size"] == ["100"]
    files, count = client.list_ground_truth_events_files(list_all=True)
    assert count == 1 and len(list(files)) == 1
    assert backend.requests[-1].path == "sdk/ground_truth_events/files/"


def test_tail_job_console_logs_yields_lines(backend: LocalBackend, client: BackendClient) -> None:
    jid = client.update_job(
        backend.seed("jobs", [{"status": "RUNNING"}])[0],
        {"console_logs": [{"message": "step 1"}, {"message": "step 2"}]},
    )["id"]
    lines = client.tail_job_console_logs(jid)
    assert list(lines) == ["step 1", "step 2"]
    record = backend.requests[-1]
    assert (record.method, record.path) == ("GET", f"jobs/{jid}/tail_console_logs/")
    assert record.headers["Synapse-Access-Token"] == f"Token {backend.token}"
    with pytest.raises(NotFoundError):
        next(client.tail_job_console_logs(999))


def test_serve_applications(backend: LocalBackend, client: BackendClient) -> None:
    jid = backend.seed("jobs", [{"status": "RUNNING"}])[0]
    created = client.create_serve_application({"job": jid, "status": "running", "data": {"route": "/m"}})
    assert created["job"] == jid and (backend.requests[-1].method, backend.requests[-1].path) == (
        "POST",
        "serve_applications/",
    )
    assert client.list_serve_applications()["count"] == 1
    apps, count = client.list_serve_applications(params={"job": jid}, list_all=True)
    assert count == 1 and [a["id"] for a in apps] == [created["id"]]


def test_facade_and_objects_describe_the_same_data(backend: LocalBackend, client: BackendClient) -> None:
    pid = backend.seed("projects", [{"name": "p", "configuration": {"k": 1}}])[0]
    as_dict = client.get_project(pid)
    project = Project.get(pid, session=client.session)
    assert (project.id, project.name) == (as_dict["id"], as_dict["name"])
    assert project.configuration == as_dict["configuration"]
    before = backend.request_count
    assert Project.get(pid, session=client.session) is project
    assert backend.request_count == before
    assert client.get_project(pid) == as_dict and backend.request_count == before + 1
