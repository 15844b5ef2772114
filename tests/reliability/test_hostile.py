"""Hostile or broken servers: every bad answer ends in a typed synapse error, and no token leaves home.

The foreign host is a second LocalBackend on another port; its request log shows exactly what
(if anything) our client sent it.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from synapse import BackendClient, Project, Task
from synapse.errors import ClientError, ResponseError, SchemaWarning, ServerError
from synapse.testing import LocalBackend
from synapse.transfers.downloads import download
from synapse.transfers.uploads import chunked_upload
from synapse.transport.session import Session

from ._common import assert_no_foreign_credentials

HTML = "<html><head><title>502 Bad Gateway</title></head><body><h1>nginx</h1></body></html>"


def answer(backend: LocalBackend, pattern: str, body: Any, status: int = 200, **options: Any) -> None:
    """Make every GET of ``pattern`` answer ``body`` instead of the real reply."""
    backend.faults.add(pattern, method="GET", status=status, body=body, times=None, **options)


@pytest.fixture
def project_id(backend: LocalBackend) -> int:
    return backend.seed("projects", [{"name": "p"}])[0]


def test_html_error_page_is_a_server_error_with_its_title(
    backend: LocalBackend, session: Session, project_id: int
) -> None:
    answer(backend, "projects/*", HTML, status=502)
    with pytest.raises(ServerError, match="non-JSON error page: 502 Bad Gateway") as caught:
        Project.get(project_id, session=session)
    assert caught.value.status_code == 502


def test_html_page_with_status_200_is_a_response_error(
    backend: LocalBackend, session: Session, project_id: int
) -> None:
    answer(backend, "projects/*", HTML)
    with pytest.raises(ResponseError, match="expected a Project object"):
        Project.get(project_id, session=session)


def test_truncated_json_is_a_response_error(backend: LocalBackend, session: Session, project_id: int) -> None:
    answer(backend, "projects/*", '{"id": 1, "name": "trunc', content_type="application/json")
    with pytest.raises(ResponseError, match="malformed or truncated JSON"):
        Project.get(project_id, session=session)


@pytest.mark.parametrize("body", [{"id": "abc", "project": 1}, {"id": True}, {"id": None}])
def test_an_answer_without_a_usable_id_is_a_response_error(
    backend: LocalBackend, session: Session, body: dict[str, Any]
) -> None:
    answer(backend, "tasks/*", body)
    with pytest.raises(ResponseError, match="id"):
        Task.get(7, session=session)


def test_a_wrong_type_in_a_known_field_is_kept_with_a_warning_or_raises_when_strict(
    backend: LocalBackend, session: Session
) -> None:
    answer(backend, "tasks/*", {"id": 7, "project": "x", "is_discarded": False})
    with pytest.warns(SchemaWarning, match=r"Task\.project_id = 'x'"):
        task = Task.get(7, session=session)
    assert (task.project_id, task.is_discarded) == ("x", False)
    strict = Session(backend.url, api_token=backend.token, strict=True)
    with pytest.raises(ResponseError, match="project"):
        Task.get(7, session=strict)


def test_wrong_types_in_list_items_are_response_errors(backend: LocalBackend, session: Session) -> None:
    answer(backend, "sdk/tasks/", {"count": 1, "next": None, "results": [{"id": "abc"}]})
    with pytest.raises(ResponseError, match="id"):
        list(Task.using(session))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"count": "x", "next": None, "results": []}, "invalid 'count'"),
        ({"count": 3, "next": None}, "'results' list"),
        ({"count": 3, "next": None, "results": {"id": 1}}, "'results' list"),
        ({"count": 3, "next": 5, "results": [{"id": 1}]}, "invalid 'next'"),
        ("just text", "'results' list"),
    ],
)
def test_broken_page_envelopes_are_response_errors(
    backend: LocalBackend, session: Session, body: Any, message: str
) -> None:
    answer(backend, "sdk/tasks/", body)
    with pytest.raises(ResponseError, match=message):
        list(Task.using(session))
    client = BackendClient.from_session(session)
    with pytest.raises(ResponseError, match=message):
        client.list_tasks(list_all=True)


def test_next_cursor_that_loops_stops_with_an_error(backend: LocalBackend, session: Session) -> None:
    loop = {"count": 3, "next": backend.url_for("sdk/tasks/?cursor=same"), "results": [{"id": 1}]}
    answer(backend, "sdk/tasks/", loop)
    with pytest.raises(ResponseError, match="loops"):
        list(Task.using(session))
    assert backend.request_count <= 3


def test_numbered_next_that_loops_back_stops_with_an_error(backend: LocalBackend, session: Session) -> None:
    """A page claiming a trillion items and always pointing at page 2 must neither hang nor exhaust memory."""
    loop = {"count": 10**12, "next": backend.url_for("sdk/tasks/?page=2&page_size=1"), "results": [{"id": 1}]}
    answer(backend, "sdk/tasks/", loop)
    started = time.monotonic()
    seen = []
    with pytest.raises(ResponseError, match="pagination loops"):
        for task in Task.using(session).prefetch(3):
            seen.append(task.id)
    assert seen == [1, 1]
    assert time.monotonic() - started < 2
    assert backend.request_count < 10


def test_page_retries_walk_refuses_a_looping_next(backend: LocalBackend, session: Session) -> None:
    loop = {"count": 3, "next": backend.url_for("sdk/tasks/?cursor=same"), "results": [{"id": 1}]}
    answer(backend, "sdk/tasks/", loop)
    items, _ = BackendClient.from_session(session).list_tasks(list_all=True, page_retries=1)
    with pytest.raises(ResponseError, match="loops"):
        list(items)


@pytest.mark.parametrize("page_retries", [0, 1])
def test_next_on_another_host_is_refused_and_gets_no_credentials(
    backend: LocalBackend, foreign: LocalBackend, session: Session, page_retries: int
) -> None:
    hijack = {"count": 300, "next": foreign.url_for("sdk/tasks/?page=2&page_size=100"), "results": [{"id": 1}]}
    answer(backend, "sdk/tasks/", hijack)
    with pytest.raises(ResponseError, match=r"another host|leaves the backend"):
        list(Task.using(session))
    items, _ = BackendClient.from_session(session).list_tasks(list_all=True, page_retries=page_retries)
    with pytest.raises(ResponseError):
        list(items)
    assert foreign.requests == []


def test_redirect_to_another_host_is_not_followed(
    backend: LocalBackend, foreign: LocalBackend, session: Session, project_id: int
) -> None:
    target = foreign.url_for(f"projects/{project_id}/")
    for method in ("GET", "POST"):
        backend.faults.add("projects/*", method=method, status=302, headers={"Location": target}, times=None)
    with pytest.raises(ResponseError, match="redirect"):
        Project.get(project_id, session=session)
    with pytest.raises(ResponseError, match="redirect"):
        Project.create(name="x", session=session)
    assert foreign.requests == []


def test_download_redirect_to_another_host_is_not_followed(
    backend: LocalBackend, foreign: LocalBackend, session: Session, tmp_path: Any
) -> None:
    backend.faults.add("media/*", method="GET", status=302, headers={"Location": foreign.url_for("media/x/y")})
    with pytest.raises(ClientError):
        download(session, backend.url_for("media/abc/file.bin"), tmp_path / "out.bin", attempts=1)
    assert foreign.requests == []


def test_chunk_url_on_another_host_gets_no_credentials(
    backend: LocalBackend, foreign: LocalBackend, session: Session, tmp_path: Any
) -> None:
    """The server picks the URL of later chunks; one pointing elsewhere is used without our token."""
    source = tmp_path / "big.bin"
    source.write_bytes(b"x" * 3000)
    reply = {"id": "u1", "url": foreign.url_for("chunked_upload/u1/"), "offset": 1000}
    backend.faults.add("chunked_upload/", method="PUT", status=200, body=reply, times=1)
    with pytest.raises(ClientError):
        chunked_upload(session, source, chunk_size=1000)
    assert foreign.requests, "the chunk went to the URL the server gave"
    assert_no_foreign_credentials(foreign)


@pytest.mark.parametrize("value", ["99999999", "-5", "soon", "inf", "nan", "Wed, 21 Oct 2099 07:28:00 GMT"])
def test_hostile_retry_after_values_are_capped(
    backend: LocalBackend, session: Session, project_id: int, value: str
) -> None:
    backend.faults.add("projects/*", method="GET", status=429, retry_after=value, times=2)
    started = time.monotonic()
    assert Project.get(project_id, session=session).name == "p"
    assert time.monotonic() - started < 1


def test_create_whose_reply_has_no_id_is_a_response_error(backend: LocalBackend, session: Session) -> None:
    """``tasks/`` reads ``{"project", "data": [...]}`` as a bulk create; a Task must not stay silently unsaved."""
    project = backend.seed("projects", [{"name": "p"}])[0]
    with pytest.raises(ResponseError, match="no 'id'"):
        Task.create(project=project, data=[], session=session)
