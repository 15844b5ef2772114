"""Construction, configuration, session sharing, errors and id checks of BackendClient."""

from __future__ import annotations

import pytest

import synapse
from synapse import BackendClient, ClientError, NotFoundError, Session
from synapse.errors import ConfigurationError, InvalidInputError
from synapse.testing import LocalBackend


def test_seed_constructor_positional_and_token_header(backend: LocalBackend) -> None:
    client = BackendClient(backend.url, backend.token)
    pid = backend.seed("projects", [{"name": "p"}])[0]
    assert client.get_project(pid)["name"] == "p"
    assert backend.requests[-1].headers["Synapse-Access-Token"] == f"Token {backend.token}"
    assert client.session.timeouts.connect == 5 and client.session.timeouts.read == 30


def test_keyword_synonyms_and_extra_headers(backend: LocalBackend) -> None:
    client = BackendClient(
        base_url=backend.url,
        access_token=backend.token,
        agent_token="agent-1",
        tenant="acme",
        url_host="internal",
        timeout={"connect": 2, "read": 7},
    )
    client.list_jobs()
    record = backend.requests[-1]
    assert record.headers["SYNAPSE-Agent"] == "Token agent-1"
    assert record.headers["Synapse-Tenant"] == "Token acme"
    assert record.query["url_host"] == ["internal"]
    assert (client.session.timeouts.connect, client.session.timeouts.read) == (2, 7)


def test_environment_configuration(backend: LocalBackend, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNAPSE_API_TOKEN", backend.token)
    monkeypatch.setenv("SYNAPSE_AGENT_TOKEN", "agent-env")
    monkeypatch.setenv("SYNAPSE_BASE_URL", backend.url)
    client = BackendClient()
    assert client.list_jobs()["count"] == 0
    headers = backend.requests[-1].headers
    assert headers["Synapse-Access-Token"] == f"Token {backend.token}"
    assert headers["SYNAPSE-Agent"] == "Token agent-env"
    seed_style = BackendClient(base_url=backend.url)
    assert seed_style.list_jobs()["count"] == 0


def test_missing_base_url_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SYNAPSE_BASE_URL", raising=False)
    with pytest.raises(ConfigurationError, match="SYNAPSE_BASE_URL"):
        BackendClient(api_token="x")


def test_session_is_shared_and_from_session(backend: LocalBackend, client: BackendClient) -> None:
    assert isinstance(client.session, Session)
    before = client.session.request_count
    client.list_jobs()
    client.session.request("GET", "jobs/")
    assert client.session.request_count == before + 2
    other = BackendClient.from_session(client.session)
    assert other.session is client.session
    other.list_jobs()
    assert client.session.request_count == before + 3
    with pytest.raises(ConfigurationError, match="either session"):
        BackendClient(backend.url, session=client.session)


def test_context_manager_makes_the_session_current(backend: LocalBackend) -> None:
    with BackendClient(backend.url, api_token=backend.token) as client:
        assert synapse.get_session() is client.session
        client.list_jobs()
    assert client.list_jobs()["count"] == 0


def test_unknown_session_option_is_a_type_error(backend: LocalBackend) -> None:
    with pytest.raises(TypeError):
        BackendClient(backend.url, api_token="t", no_such_option=1)


def test_repr_and_errors_never_show_the_token(backend: LocalBackend) -> None:
    secret = "s3cr3t-token-value"
    client = BackendClient(backend.url, api_token=secret, agent_token="agent-secret", max_retries=0)
    assert secret not in repr(client) and "agent-secret" not in repr(client)
    assert backend.url in repr(client)
    with pytest.raises(ClientError) as caught:
        client.get_project(1)
    assert caught.value.status_code == 401
    assert secret not in str(caught.value) and secret not in repr(caught.value.detail)
    with pytest.raises(ClientError) as agent_error:
        client.health_check_agent("agent-secret")
    assert "agent-secret" not in str(agent_error.value)


def test_not_found_is_a_client_error_with_seed_attributes(client: BackendClient) -> None:
    with pytest.raises(ClientError) as caught:
        client.get_project(999)
    error = caught.value
    assert isinstance(error, NotFoundError)
    assert error.status_code == 404
    assert error.response == error.detail == error.reason
    assert "404" in str(error)


def test_html_error_page_becomes_a_readable_error(backend: LocalBackend, client: BackendClient) -> None:
    page = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
    backend.faults.add("projects/*", status=500, times=1, body=page, content_type="text/html")
    with pytest.raises(ClientError) as caught:
        client.get_project(1)
    assert caught.value.status_code == 500
    assert "502 Bad Gateway" in str(caught.value)
    assert "<html>" not in str(caught.value)


@pytest.mark.parametrize("bad", ["../x", "1/2", None, "", "..", 1.5, True, -3, "a b", "x?y=1"])
def test_unsafe_ids_are_rejected_before_any_request(backend: LocalBackend, client: BackendClient, bad: object) -> None:
    before = backend.request_count
    for call in (
        client.get_project,
        client.get_task,
        client.get_job,
        client.get_plugin,
        client.get_storage,
        client.get_model,
        client.get_assignment,
        client.get_ground_truth_version,
        client.get_data_unit,
        client.list_job_console_logs,
        client.get_chunked_upload,
        client.get_task_tag,
    ):
        with pytest.raises(InvalidInputError):
            call(bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        client.update_job(bad, {"status": "RUNNING"})  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        client.run_plugin(bad, {"params": {}})  # type: ignore[arg-type]
    assert backend.request_count == before


@pytest.mark.parametrize("payload", ["text", 3, None, b"raw", ("a", "b")])
def test_non_json_payloads_are_rejected_before_any_request(
    backend: LocalBackend, client: BackendClient, payload: object
) -> None:
    before = backend.request_count
    for call in (
        client.create_tasks,
        client.create_plugin,
        client.create_storage,
        client.create_data_units,
        client.set_tags_tasks,
        client.create_logs,
    ):
        with pytest.raises(InvalidInputError):
            call(payload)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        client.annotate_task_data(1, payload)  # type: ignore[arg-type]
    assert backend.request_count == before


def test_uuid_and_code_ids_are_accepted(backend: LocalBackend, client: BackendClient) -> None:
    with pytest.raises(NotFoundError):
        client.get_job("0b5e1d9c-6a52-4d39-9d3c-2f1f5b3a9e10")
    assert backend.requests[-1].path == "jobs/0b5e1d9c-6a52-4d39-9d3c-2f1f5b3a9e10/"


def test_transport_failures_are_client_errors_too() -> None:
    client = BackendClient("http://127.0.0.1:9", api_token="secret-token", max_retries=0, timeout=2)
    with pytest.raises(ClientError) as caught:
        client.get_project(1)
    assert caught.value.status_code is None and "secret-token" not in str(caught.value)


def test_non_mapping_params_are_rejected_before_any_request(backend: LocalBackend, client: BackendClient) -> None:
    for call in (client.list_tasks, client.list_jobs, client.list_data_units):
        with pytest.raises(InvalidInputError):
            call([("project", 1)])  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        client.list_plugin_releases("co", params="plugin=co")  # type: ignore[arg-type]
    assert backend.request_count == 0


def test_agent_token_in_the_path_stays_out_of_debug_logs(
    backend: LocalBackend, client: BackendClient, caplog: pytest.LogCaptureFixture
) -> None:
    token = "f" * 40
    with caplog.at_level("DEBUG", logger="synapse"), pytest.raises(NotFoundError) as caught:
        client.health_check_agent(token)
    assert caplog.records, "the request was logged"
    assert all(token not in record.getMessage() for record in caplog.records)
    assert token not in str(caught.value)
