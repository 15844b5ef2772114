"""Actions and relations of projects, tasks, assignments, plugins, jobs, agents, storages and ground truth."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

from synapse import (
    Agent,
    Assignment,
    DataCollection,
    DataUnit,
    GroundTruthDataset,
    GroundTruthEvent,
    GroundTruthVersion,
    InvalidInputError,
    Job,
    JobTimeoutError,
    Plugin,
    PluginRelease,
    Project,
    Session,
    Storage,
    Task,
    TaskTag,
)
from synapse.enums import JobStatus, StorageCategory, StorageProvider
from synapse.testing import LocalBackend

from ._common import requests_to, seed_tasks, stored


@pytest.fixture
def project(backend: LocalBackend, session: Session) -> Project:
    (cid,) = backend.seed("data_collections", [{"name": "dc"}])
    (pid,) = backend.seed("projects", [{"title": "p", "data_collection": cid}])
    return Project.get(pid)


# -- projects, tasks, tags ----------------------------------------------------------------


def test_project_relations(backend: LocalBackend, session: Session, project: Project) -> None:
    seed_tasks(backend, project, 3)
    backend.seed("assignments", [{"project": project.id, "status": "open"}])
    (tag,) = backend.seed("task_tags", [{"name": "hard", "project": project.id}])
    assert isinstance(project.data_collection, DataCollection)
    assert project.data_collection.name == "dc"
    assert project.tasks.count() == 3
    assert [a.status for a in project.assignments] == ["open"]
    assert [t.id for t in project.task_tags] == [tag]
    assert TaskTag.get(tag).project is project
    assert repr(project) == f"<Project {project.id} title='p'>"


def test_task_repr_and_relations(backend: LocalBackend, session: Session, project: Project) -> None:
    (cid,) = backend.seed("data_collections", [{"name": "units"}])
    (uid,) = backend.seed("data_units", [{"data_collection": cid, "files": {}, "meta": {"n": 1}}])
    (tid,) = seed_tasks(backend, project, 1, data_unit=uid)
    task = Task.get(tid)
    assert repr(task) == f"<Task {tid} project={project.id} data_unit={uid}>"
    assert task.project is project
    unit = task.data_unit
    assert isinstance(unit, DataUnit) and unit.meta == {"n": 1}
    assert unit.data_collection is not None and unit.data_collection.name == "units"
    expanded = Task.get(tid, expand="data_unit")
    assert expanded is task


def test_annotate(backend: LocalBackend, session: Session, project: Project) -> None:
    (tid,) = seed_tasks(backend, project, 1)
    task = Task.get(tid)
    with session.expect_requests(1):
        assert task.annotate({"annotations": [{"type": "bbox"}]}, schema="dm_schema_v1") is task
    (record,) = requests_to(backend, "PUT", f"tasks/{tid}/annotate_task_data/")
    assert record.query["schema"] == ["dm_schema_v1"]
    assert task.data == {"annotations": [{"type": "bbox"}]}
    assert not task.is_dirty


def test_bulk_create_tasks(backend: LocalBackend, session: Session, project: Project) -> None:
    (cid,) = backend.seed("data_collections", [{"name": "c"}])
    uids = backend.seed("data_units", [{"data_collection": cid, "files": {}} for _ in range(3)])
    units = [DataUnit.get(uids[0]), uids[1], {"data_unit": uids[2]}]
    with session.expect_requests(1):
        tasks = Task.bulk_create(project, units)
    assert [t.data_unit_id for t in tasks] == uids
    assert all(isinstance(t, Task) and t.project is project for t in tasks)
    with pytest.raises(InvalidInputError):
        Task.bulk_create(project, [{"nope": 1}])


def test_task_tags(backend: LocalBackend, session: Session, project: Project) -> None:
    tids = seed_tasks(backend, project, 4, tags=[])
    red, blue = (TaskTag.create(name=n, project=project) for n in ("red", "blue"))
    task = Task.get(tids[0])
    with session.expect_requests(1):
        task.add_tags(red, blue.id)
    assert task.tag_ids == [red.id, blue.id]
    with session.no_requests():  # tags are objects; fresh ones cost nothing
        assert task.tags == [red, blue]
    task.remove_tags(red)
    assert task.tag_ids == [blue.id]
    assert backend.get("tasks", tids[0])["tags"] == [blue.id]  # type: ignore[index]
    # many at once: objects, ids or a queryset; one set_tags request per 1,000 objects
    backend.clear_log()
    assert Task.add_tags_to(Task.filter(project=project), [red]) == 4
    assert len(requests_to(backend, "POST", "tasks/set_tags/")) == 1
    assert all(red.id in (backend.get("tasks", t) or {})["tags"] for t in tids)
    assert Task.remove_tags_from(tids[:2], red) == 2
    assert Task.get(tids[0]).tag_ids == [blue.id]  # the bulk call expired the cached copy
    with pytest.raises(InvalidInputError):
        task.add_tags(project)


def test_assignment_relations_and_tags(backend: LocalBackend, session: Session, project: Project) -> None:
    (tid,) = seed_tasks(backend, project, 1)
    aids = backend.seed("assignments", [{"task": tid, "project": project.id, "status": "open", "tags": []}] * 2)
    tag = TaskTag.create(name="review", project=project)
    assignment = Assignment.get(aids[0])
    assert assignment.task is Task.get(tid) and assignment.project is project
    assert repr(assignment) == f"<Assignment {aids[0]} task={tid}>"
    assignment.add_tags(tag)
    assert Assignment.add_tags_to(Assignment.filter(project=project), [tag]) == 2
    assert requests_to(backend, "POST", "assignments/set_tags/")
    assert all(backend.get("assignments", a)["tags"] == [tag.id] for a in aids)  # type: ignore[index]
    Assignment.remove_tags_from([assignment], [tag])
    assert backend.get("assignments", aids[0])["tags"] == []  # type: ignore[index]


# -- plugins, releases, jobs, agents ------------------------------------------------------


@pytest.fixture
def plugin(session: Session) -> Plugin:
    return Plugin.create(code="detector", name="Detector")


def test_plugin_get_by_code_and_update_via_put(backend: LocalBackend, session: Session, plugin: Plugin) -> None:
    assert Plugin.get("detector") is plugin
    with pytest.raises(Plugin.DoesNotExist):
        Plugin.get("missing")
    plugin.description = "finds things"
    plugin.save()
    (record,) = requests_to(backend, "PUT", f"plugins/{plugin.id}/")
    assert record.body_size == len(json.dumps({"description": "finds things"}))
    assert stored(backend, "plugins", plugin)["description"] == "finds things"


def test_plugin_releases(backend: LocalBackend, session: Session, plugin: Plugin) -> None:
    release = PluginRelease.create(plugin=plugin, version="1.0.0", config={"a": 1}, requirements=["numpy"])
    assert release.plugin is plugin
    assert PluginRelease.get(release.id) is release
    assert PluginRelease.get("detector@1.0.0") is release
    assert [r.id for r in plugin.releases] == [release.id]
    assert repr(release) == f"<PluginRelease {release.id} plugin={plugin.id} version='1.0.0'>"


def test_release_lookup_is_percent_encoded(backend: LocalBackend, session: Session) -> None:
    with pytest.raises(PluginRelease.DoesNotExist) as info:
        PluginRelease.get("co/de@1.0")
    assert info.value.url is not None and info.value.url.endswith("plugin_releases/co%2Fde@1.0/")
    with pytest.raises(InvalidInputError), session.no_requests():
        PluginRelease.get("../x")


def test_release_with_a_file_is_multipart(
    backend: LocalBackend, session: Session, plugin: Plugin, make_file: Any
) -> None:
    archive: Path = make_file("plugin.zip", b"PK-not-really-a-zip")
    release = PluginRelease.create(
        plugin="detector",
        version="2.0.0",
        file=archive,
        config={"entry": "main"},
        requirements=["numpy", "torch"],
        debug=True,
    )
    (record,) = requests_to(backend, "POST", "plugin_releases/")
    assert record.headers["Content-Type"].startswith("multipart/form-data")
    row = stored(backend, "plugin_releases", release)
    assert row["config"] == {"entry": "main"}
    assert row["requirements"] == ["numpy", "torch"]
    assert row["debug"] is True
    assert release.file and release.file.endswith("plugin.zip")


def test_run_returns_a_job(backend: LocalBackend, session: Session, plugin: Plugin) -> None:
    # The real backend runs only the actions the release offers.
    release = PluginRelease.create(plugin=plugin, version="1.0.0", config={"actions": {"train": {}, "infer": {}}})
    (agent_id,) = backend.seed("agents", [{"name": "gpu-1", "token": "a" * 40, "status": "connected"}])
    job = plugin.run(action="train", agent=Agent.get(agent_id), params={"epochs": 1}, version="1.0.0", debug=True)
    assert isinstance(job, Job)
    assert job.status == JobStatus.PENDING and job.action == "train"
    assert job.plugin_release is release and job.agent is Agent.get(agent_id)
    assert job.plugin is plugin
    assert not job.is_finished
    by_code = Plugin(code="detector").run(action="infer", params={})
    assert isinstance(by_code, Job)
    assert requests_to(backend, "POST", "plugins/detector/run/")


def test_run_returns_the_raw_reply_when_it_is_not_a_job(
    backend: LocalBackend, session: Session, plugin: Plugin
) -> None:
    backend.faults.add(
        f"plugins/{plugin.id}/run/",
        method="POST",
        status=200,
        times=1,
        body={"predictions": [{"label": "cat", "score": 0.9}]},
    )
    with session.expect_requests(1):
        reply = plugin.run(action="inference", params={"image": "x"})
    assert reply == {"predictions": [{"label": "cat", "score": 0.9}]}


def test_job_wait_logs_and_update(backend: LocalBackend, session: Session, plugin: Plugin) -> None:
    PluginRelease.create(plugin=plugin, version="1.0.0", config={"actions": {"train": {}}})  # offers "train"
    job = plugin.run(action="train", params={})
    assert isinstance(job, Job)
    assert job.wait(timeout=10, poll=0.05) is job
    assert job.is_finished and job.succeeded
    logs = job.console_logs()
    assert logs and all("message" in line for line in logs)
    assert job.log_lines() == [line["message"] for line in logs]
    job.update(status="succeeded", meta={"by": "test"})  # a finished job may only repeat its status
    assert job.status == JobStatus.SUCCEEDED and job.meta == {"by": "test"}
    (record,) = requests_to(backend, "PATCH", f"jobs/{job.id}/")
    assert record.body_size == len(json.dumps({"meta": {"by": "test"}, "status": "SUCCEEDED"}))
    with pytest.raises(InvalidInputError, match="unknown job status"), session.no_requests():
        job.update(status="completed-ish")
    pending = plugin.run(action="train", params={})
    assert isinstance(pending, Job)
    pending.update(status=JobStatus.FAILED)
    assert pending.is_finished and not pending.succeeded


def test_job_wait_times_out(backend: LocalBackend, session: Session) -> None:
    (jid,) = backend.seed("jobs", [{"status": "RUNNING", "action": "x"}])
    job = Job.get(jid)
    with pytest.raises(JobTimeoutError, match="did not finish") as info:
        job.wait(timeout=0.2, poll=0.05)
    from synapse import APITimeoutError

    assert isinstance(info.value, APITimeoutError)


def test_agent_health_check_hides_the_token(
    backend: LocalBackend, session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="synapse")
    token = "f" * 40
    (aid,) = backend.seed("agents", [{"name": "gpu", "token": token, "status": "disconnected"}])
    agent = Agent.health_check(token)
    assert isinstance(agent, Agent) and agent.id == aid and agent.is_connected
    (record,) = requests_to(backend, "POST", "agents/")
    assert record.body_size == 0 and record.headers["Content-Type"] == "application/json"
    assert token not in repr(agent)
    with pytest.raises(Agent.DoesNotExist) as info:
        Agent.health_check("0" * 40)
    assert "0" * 40 not in str(info.value)
    messages = [r.getMessage() for r in caplog.records]
    assert messages and not any(token in m or "0" * 40 in m for m in messages)


# -- storages -----------------------------------------------------------------------------


def test_storage_enums_and_configuration(backend: LocalBackend, session: Session) -> None:
    ids = backend.seed(
        "storages",
        [
            {"name": "s3", "category": "external", "provider": "amazon_s3", "configuration": {"bucket": "b"}},
            {"name": "new", "category": "internal", "provider": "quantum_tape", "configuration": {}},
        ],
    )
    s3 = Storage.get(ids[0])
    assert s3.category is StorageCategory.EXTERNAL and s3.provider is StorageProvider.AMAZON_S3
    assert s3.configuration is None  # only sent on request
    with session.expect_requests(1):
        assert Storage.get(ids[0], with_configuration=True) is s3
    assert backend.requests[-1].query["with_configuration"] == ["true"]
    assert s3.configuration == {"bucket": "b"}
    odd = Storage.get(ids[1])
    assert odd.provider == "quantum_tape"  # unknown providers are kept as text
    assert repr(odd) == f"<Storage {ids[1]} name='new' category='internal' provider='quantum_tape'>"
    assert [s.name for s in Storage.filter(category=StorageCategory.INTERNAL)] == ["new"]
    created = Storage.create(name="fs", category=StorageCategory.INTERNAL, provider=StorageProvider.FILE_SYSTEM)
    assert stored(backend, "storages", created)["provider"] == "file_system"


# -- ground truth -------------------------------------------------------------------------


def test_ground_truth(backend: LocalBackend, session: Session) -> None:
    (dataset,) = backend.seed("ground_truth_datasets", [{"name": "gt"}])
    v1, v2, v3 = backend.seed(
        "ground_truth_dataset_versions", [{"ground_truth_dataset": dataset, "name": n} for n in ("v1", "v2", "v3")]
    )
    backend.seed("ground_truth_events", [{"ground_truth_dataset_version": v, "files": {}} for v in (v1, v1, v2, v3)])
    version = GroundTruthVersion.get(v1)
    assert version.ground_truth_dataset is GroundTruthDataset.get(dataset)
    assert version.events.count() == 2
    assert all(e.ground_truth_dataset_version is version for e in version.events)
    backend.clear_log()
    assert len([event for event in GroundTruthEvent.filter(ground_truth_dataset_versions=[v1, v2])]) == 3
    (record,) = backend.requests
    assert record.path == "sdk/ground_truth_events/"
    assert record.query["ground_truth_dataset_versions"] == [str(v1), str(v2)]
    assert [v.name for v in GroundTruthDataset.get(dataset).versions] == ["v1", "v2", "v3"]
