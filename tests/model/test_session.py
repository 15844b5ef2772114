"""Configuration, scoping, retries and errors as a resource user meets them."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest

import synapse
from synapse import (
    AuthenticationError,
    ConfigurationError,
    Project,
    RateLimitError,
    ResponseIncompleteError,
    ServerError,
    Session,
    Task,
)
from synapse.testing import LocalBackend

from ._common import requests_to


def test_environment_configuration(backend: LocalBackend, monkeypatch: pytest.MonkeyPatch) -> None:
    (pid,) = backend.seed("projects", [{"name": "env"}])
    monkeypatch.setenv("SYNAPSE_BASE_URL", backend.url)
    monkeypatch.setenv("SYNAPSE_API_TOKEN", backend.token)
    monkeypatch.setenv("SYNAPSE_TENANT", "acme")
    monkeypatch.setenv("SYNAPSE_AGENT_TOKEN", "agent-secret")
    assert Project.get(pid).name == "env"  # default session built from the environment
    headers = backend.requests[-1].headers
    assert headers["Synapse-Access-Token"] == f"Token {backend.token}"
    assert headers["Synapse-Tenant"] == "Token acme"
    assert headers["SYNAPSE-Agent"] == "Token agent-secret"


def test_access_token_variable(backend: LocalBackend, monkeypatch: pytest.MonkeyPatch) -> None:
    (pid,) = backend.seed("projects", [{"name": "env"}])
    monkeypatch.setenv("SYNAPSE_ACCESS_TOKEN", backend.token)
    with Session(backend.url):
        assert Project.get(pid).id == pid
    assert backend.requests[-1].headers["Synapse-Access-Token"] == f"Token {backend.token}"


def test_no_base_url_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="SYNAPSE_BASE_URL"):
        Project.get(1)
    with pytest.raises(ConfigurationError):
        Session()


def test_with_session_scopes_and_connect(backend: LocalBackend) -> None:
    (pid,) = backend.seed("projects", [{"name": "p"}])
    default = synapse.connect(backend.url, api_token=backend.token)
    scoped = Session(backend.url, api_token=backend.token)
    outer = Project.get(pid)
    with scoped:
        inner = Project.get(pid)
        assert synapse.get_session() is scoped
    assert synapse.get_session() is default
    assert inner is not outer  # one identity map per session
    assert inner._bound_session() is scoped and outer._bound_session() is default
    with scoped, scoped.no_requests():
        # an object keeps the session that loaded it
        assert Project.get(pid) is inner


def test_retries_after_503_and_429(backend: LocalBackend) -> None:
    (pid,) = backend.seed("projects", [{"name": "p"}])
    backend.faults.add(f"projects/{pid}/", status=503, times=2)
    backend.faults.add("sdk/tasks/", status=429, times=1, retry_after=0.2)
    with Session(backend.url, api_token=backend.token, backoff_factor=0.01) as s:
        assert Project.get(pid).name == "p"
        assert s.request_count == 3
        started = time.monotonic()
        assert Task.filter(project=pid).count() == 0
        assert time.monotonic() - started >= 0.15  # Retry-After honoured
        assert s.request_count == 5
    statuses = [r.status for r in backend.requests]
    assert statuses == [503, 503, 200, 429, 200]


def test_retry_after_is_capped(backend: LocalBackend) -> None:
    (pid,) = backend.seed("projects", [{"name": "p"}])
    backend.faults.add(f"projects/{pid}/", status=429, times=1, retry_after=30)
    with Session(backend.url, api_token=backend.token, retry_after_max=0.1):
        started = time.monotonic()
        Project.get(pid)
        assert time.monotonic() - started < 2


def test_retries_run_out(backend: LocalBackend) -> None:
    (pid,) = backend.seed("projects", [{"name": "p"}])
    backend.faults.add(f"projects/{pid}/", status=429, times=None, retry_after=0)
    with Session(backend.url, api_token=backend.token, max_retries=2), pytest.raises(RateLimitError) as info:
        Project.get(pid)
    assert info.value.status_code == 429 and info.value.retry_after == 0
    assert len(backend.requests) == 3


def test_post_is_not_retried_once_the_server_has_it(backend: LocalBackend, session: Session) -> None:
    (pid,) = backend.seed("projects", [{"name": "p"}])
    backend.faults.add("tasks/", method="POST", status=None, drop_connection="after", times=1)
    with pytest.raises(ResponseIncompleteError, match="may have applied"):
        Task.create(project=pid, status="once")
    assert len(requests_to(backend, "POST", "tasks/")) == 1
    assert backend.count("tasks") == 1


def test_errors_carry_status_detail_and_request(backend: LocalBackend, session: Session) -> None:
    with pytest.raises(Project.DoesNotExist) as info:
        Project.get(999)
    error = info.value
    assert error.status_code == 404
    assert error.detail == {"detail": "Not found."} or "Not found" in str(error.detail)
    assert error.response == error.detail and error.reason == error.detail
    assert error.method == "GET" and error.url is not None and error.url.endswith("projects/999/")


def test_html_502_becomes_a_clear_server_error(backend: LocalBackend) -> None:
    (pid,) = backend.seed("projects", [{"name": "p"}])
    page = "<html><head><title>502 Bad Gateway</title></head><body><h1>nginx</h1></body></html>"
    backend.faults.add(f"projects/{pid}/", status=502, times=None, body=page)
    with (
        Session(backend.url, api_token=backend.token, max_retries=1, backoff_factor=0),
        pytest.raises(ServerError) as info,
    ):
        Project.get(pid)
    assert info.value.status_code == 502
    assert "502 Bad Gateway" in str(info.value) and "<html>" not in str(info.value)


def test_token_never_leaks(backend: LocalBackend, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="synapse")
    secret = backend.token
    s = Session(backend.url, api_token=secret, backoff_factor=0)
    assert secret not in repr(s)
    backend.faults.add("projects/*", status=503, times=1)
    with s:
        with pytest.raises(Project.DoesNotExist) as info:
            Project.get(12345)
        assert secret not in str(info.value) and secret not in repr(info.value)
    bad = Session(backend.url, api_token="wrong-token-value")
    with bad, pytest.raises(AuthenticationError) as auth:
        Project.get(1)
    assert "wrong-token-value" not in str(auth.value)
    assert caplog.records, "expected debug logs of the requests"
    for record in caplog.records:
        assert secret not in record.getMessage()
        assert "wrong-token-value" not in record.getMessage()


def test_request_budget_counts_only_its_own_session(backend: LocalBackend, session: Session) -> None:
    (pid,) = backend.seed("projects", [{"name": "budget"}])
    other = Session(backend.url, api_token=backend.token)
    with session.expect_requests(1):
        Project.get(pid, refresh=True)
        Project.get(pid, refresh=True, session=other)  # another session's request is not charged here
    with session.no_requests(), pytest.raises(synapse.RequestBudgetExceeded, match="projects"):
        Project.get(pid, refresh=True)


def test_every_credential_argument_sends_its_header(backend: LocalBackend) -> None:
    (pid,) = backend.seed("projects", [{"name": "p"}])
    spellings: list[tuple[dict[str, Any], dict[str, str]]] = [
        ({"api_token": backend.token}, {"Synapse-Access-Token": f"Token {backend.token}"}),
        ({"access_token": backend.token}, {"Synapse-Access-Token": f"Token {backend.token}"}),
        ({"api_token": backend.token, "token": "user-1"}, {"Authorization": "Token user-1"}),
        ({"api_token": backend.token, "authorization_token": "user-2"}, {"Authorization": "Token user-2"}),
        ({"api_token": backend.token, "tenant": "acme"}, {"Synapse-Tenant": "Token acme"}),
        ({"api_token": backend.token, "agent_token": "agent-1"}, {"SYNAPSE-Agent": "Token agent-1"}),
    ]
    for kwargs, expected in spellings:
        with Session(backend.url, **kwargs):
            Project.get(pid)
        sent = backend.requests[-1].headers
        for name, value in expected.items():
            assert sent[name] == value, kwargs
    assert "Authorization" not in sent


def test_positional_arguments_and_default_timeout(backend: LocalBackend) -> None:
    s = Session(backend.url, backend.token, "agent-x", "tenant-y")
    assert (s.timeouts.connect, s.timeouts.read) == (5.0, 30.0)
    assert "agent-x" not in repr(s) and "tenant-y" not in repr(s) and backend.url in repr(s)
    (pid,) = backend.seed("projects", [{"name": "p"}])
    with s:
        Project.get(pid)
    sent = backend.requests[-1].headers
    assert sent["SYNAPSE-Agent"] == "Token agent-x" and sent["Synapse-Tenant"] == "Token tenant-y"


def test_connection_pool_is_sized_for_threads(backend: LocalBackend) -> None:
    s = Session(backend.url, api_token=backend.token, pool_maxsize=24)
    adapter = s._http._session.get_adapter(backend.url)
    assert adapter._pool_maxsize == 24  # type: ignore[attr-defined]
    assert Session(backend.url)._http._session.get_adapter(backend.url)._pool_maxsize >= 16  # type: ignore[attr-defined]


def test_backoff_grows_exponentially_with_jitter(backend: LocalBackend) -> None:
    s = Session(backend.url, backoff_factor=0.5, backoff_max=3.0)
    for attempt, ceiling in ((0, 0.5), (1, 1.0), (2, 2.0), (5, 3.0)):
        delays = {s.retry.backoff(attempt) for _ in range(50)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(delays) > 1  # jittered, so retrying clients do not stampede in step


def test_post_is_retried_when_the_server_refused_it(backend: LocalBackend, session: Session) -> None:
    (pid,) = backend.seed("projects", [{"name": "p"}])
    backend.faults.add("tasks/", method="POST", status=503, times=1)
    Task.create(project=pid, status="once")
    assert [r.status for r in requests_to(backend, "POST", "tasks/")] == [503, 201]
    assert backend.count("tasks") == 1


def test_read_timeout_retries_get_but_never_post(backend: LocalBackend) -> None:
    (pid,) = backend.seed("projects", [{"name": "p"}])
    backend.faults.add(f"projects/{pid}/", method="GET", status=None, delay=0.6, times=1)
    backend.faults.add("tasks/", method="POST", status=None, delay=0.6, times=1)
    with Session(backend.url, api_token=backend.token, timeout={"connect": 2, "read": 0.3}, backoff_factor=0):
        assert Project.get(pid).name == "p"
        with pytest.raises(synapse.ResponseIncompleteError, match="may have applied"):
            Task.create(project=pid, status="slow")
    assert len(requests_to(backend, "GET", f"projects/{pid}/")) == 2
    # The slow POST finishes on the server after the client gave up: wait for it, not a fixed time.
    backend.wait_for_request("POST", r"tasks/", timeout=10, finished=True)
    assert len(requests_to(backend, "POST", "tasks/")) == 1
    assert backend.count("tasks") == 1


def test_expect_requests_fails_when_fewer_are_sent(backend: LocalBackend, session: Session) -> None:
    (pid,) = backend.seed("projects", [{"name": "p"}])
    with pytest.raises(synapse.RequestBudgetExceeded, match="expected 2"), session.expect_requests(2):
        Project.get(pid)
    before = session.request_count
    Project.get(pid, refresh=True)
    assert session.request_count == before + 1


def test_connect_errors_are_retried_for_every_method() -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed once the block ends: connections are refused
    s = Session(f"http://127.0.0.1:{port}", api_token="secret-value", max_retries=2, backoff_factor=0)
    with s, pytest.raises(synapse.APIConnectionError, match="could not connect") as info:
        Task.create(project=1, status="never-sent")
    assert s.request_count == 3  # a refused POST never reached a server, so it is safe to resend
    assert info.value.method == "POST" and "secret-value" not in str(info.value)


def test_nested_budgets_of_two_sessions_both_hold(backend: LocalBackend, session: Session) -> None:
    (pid,) = backend.seed("projects", [{"name": "nested"}])
    other = Session(backend.url, api_token=backend.token)
    with session.no_requests(), other.expect_requests(1):
        Project.get(pid, refresh=True, session=other)
        with pytest.raises(synapse.RequestBudgetExceeded):
            Project.get(pid, refresh=True)  # the outer guard of `session` still applies
    with session.expect_requests(1), session.expect_requests(1):
        Project.get(pid, refresh=True)  # counted by the inner and the outer block
    with (
        pytest.raises(synapse.RequestBudgetExceeded, match="expected 2"),
        session.expect_requests(2),
        session.expect_requests(1),
    ):
        Project.get(pid, refresh=True)
