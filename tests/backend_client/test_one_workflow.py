"""The facade and the object model run one implementation of each workflow, so they cannot drift:
the same request for the same call, the same error for the same missing object."""

from __future__ import annotations

from typing import Any

import pytest

from synapse import Agent, BackendClient, InvalidInputError, Job, PluginRelease, Project, Storage, Task
from synapse.testing import LocalBackend


def test_agent_health_check_sends_the_same_request_from_both_sides(
    backend: LocalBackend, client: BackendClient
) -> None:
    token = "ab/c d?x"  # a slash or a question mark in a token must not change the route
    backend.seed("agents", [{"name": "gpu", "token": token}])
    reply = client.health_check_agent(token)
    assert isinstance(reply, dict) and reply["status"] == "connected"
    facade = backend.requests[-1]
    agent = Agent.health_check(token, session=client.session)
    model = backend.requests[-1]
    assert isinstance(agent, Agent) and agent.id == reply["id"]
    assert (facade.method, facade.path, facade.query) == (model.method, model.path, model.query)
    assert (facade.method, facade.path) == ("POST", f"agents/{token}/connect/")


@pytest.mark.parametrize("token", ["", ".", "..", "  "])
def test_agent_tokens_that_cannot_name_a_path_segment_are_refused_before_sending(
    backend: LocalBackend, client: BackendClient, token: str
) -> None:
    with pytest.raises(InvalidInputError):
        client.health_check_agent(token)
    with pytest.raises(InvalidInputError):
        Agent.health_check(token, session=client.session)
    assert backend.request_count == 0


def test_an_unknown_agent_token_is_the_same_error_from_both_sides(client: BackendClient) -> None:
    token = "d" * 40
    with pytest.raises(Agent.DoesNotExist) as facade:
        client.health_check_agent(token)
    with pytest.raises(Agent.DoesNotExist) as model:
        Agent.health_check(token, session=client.session)
    assert str(facade.value) == str(model.value) and token not in str(facade.value)


def test_a_missing_object_is_its_family_does_not_exist(backend: LocalBackend, client: BackendClient) -> None:
    with pytest.raises(Project.DoesNotExist) as facade:
        client.get_project(999)
    with pytest.raises(Project.DoesNotExist) as model:
        Project.get(999, session=client.session)
    assert (facade.value.status_code, facade.value.url) == (model.value.status_code, model.value.url)
    with pytest.raises(Task.DoesNotExist):
        client.annotate_task_data(999, {"annotations": []})
    with pytest.raises(Job.DoesNotExist):
        client.update_job(999, {"status": "RUNNING"})
    with pytest.raises(Job.DoesNotExist):
        client.list_job_console_logs(999)
    with pytest.raises(PluginRelease.DoesNotExist):
        client.get_plugin_release_by_lookup("nothing@1.0")


def test_release_lookup_puts_code_at_version_in_the_path_as_the_object_model_does(
    backend: LocalBackend, client: BackendClient
) -> None:
    plugin = backend.seed("plugins", [{"name": "P", "code": "co/de"}])[0]
    release = backend.seed("plugin_releases", [{"plugin": plugin, "version": "1.0"}])[0]
    assert client.get_plugin_release_by_lookup("co/de@1.0", expand=None)["id"] == release
    facade = backend.requests[-1]
    assert PluginRelease.get("co/de@1.0", session=client.session).id == release
    assert backend.requests[-1].path == facade.path


def test_default_storage_past_the_first_page_is_found_by_both(backend: LocalBackend, client: BackendClient) -> None:
    rows: list[dict[str, Any]] = [
        {"name": f"s{i}", "category": "internal", "provider": "amazon_s3"} for i in range(150)
    ]
    rows.append({"name": "default", "category": "internal", "provider": "amazon_s3", "is_default": True})
    default = backend.seed("storages", rows)[-1]
    found = client.get_default_storage()
    assert isinstance(found, dict) and found["id"] == default and found["name"] == "default"
    storage = Storage.default(session=client.session)
    assert isinstance(storage, Storage) and storage.id == default
    assert all(record.query.get("category") == ["internal"] for record in backend.requests)


def test_no_internal_storage_is_none_from_both(backend: LocalBackend, client: BackendClient) -> None:
    backend.seed("storages", [{"name": "ext", "category": "external", "provider": "amazon_s3", "is_default": True}])
    assert client.get_default_storage() is None
    assert Storage.default(session=client.session) is None
