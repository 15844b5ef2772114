"""Secrets stay between the client and the backend: not in any log record of any logger, not in errors
or reprs, and no cookie travels between the backend and file hosts.

Log tests run with the root logger at DEBUG and capture every record of every logger (urllib3's
per-request lines included), formatted with their exception text.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import pytest

from synapse import BackendClient, Project
from synapse.errors import ClientError, HTTPError
from synapse.testing import LocalBackend
from synapse.transport.session import Session

from ._common import FAST, TOKEN

AGENT = "agent-SECRET-9c1f4e2a7b3d48e6a0f5c2d1b9e8a7f6"
SIGNATURE = "X-Amz-Signature=SIG-5e1d2c3b4a"
CREDENTIAL = "X-Amz-Credential=AKIA-SECRET-CRED"
PASSWORD = "pa55-SECRET-word"
SECRETS = (TOKEN, AGENT, "SIG-5e1d2c3b4a", "AKIA-SECRET-CRED", PASSWORD)


@pytest.fixture
def every_record(caplog: pytest.LogCaptureFixture) -> Iterator[Callable[[], list[str]]]:
    """Every record of every logger at DEBUG, as formatted text (message, arguments, exception)."""
    caplog.set_level(logging.DEBUG)
    for name in ("urllib3", "urllib3.connectionpool", "requests"):
        logging.getLogger(name).setLevel(logging.NOTSET)
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")

    def texts() -> list[str]:
        return [f"{formatter.format(r)} {r.args!r}" for r in caplog.records]

    yield texts


def assert_clean(*texts: str) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in text, f"{secret!r} leaked: {text[:300]}"


def test_agent_token_in_a_url_path_is_in_no_log_record(session: Session, every_record: Callable[[], list[str]]) -> None:
    client = BackendClient.from_session(session)
    with pytest.raises(ClientError) as caught:
        client.health_check_agent(AGENT)
    records = every_record()
    assert any("urllib3" in text for text in records), "urllib3's request lines were captured"
    assert_clean(str(caught.value), *records)


def test_presigned_query_is_in_no_error_and_no_log_record(
    session: Session, foreign: LocalBackend, every_record: Callable[[], list[str]]
) -> None:
    foreign.faults.add("re:.*", method="GET", status=403, body="<Error>AccessDenied</Error>", times=None)
    url = f"{foreign.url}/media/a.bin?{SIGNATURE}&{CREDENTIAL}&X-Amz-Expires=60"
    with pytest.raises(HTTPError) as streamed, session.stream("GET", url):
        pass
    with pytest.raises(HTTPError) as requested:
        session.request("GET", url)
    errors = [str(streamed.value), str(requested.value), repr(streamed.value.url), repr(requested.value.url)]
    assert_clean(*errors, *every_record())
    assert "/media/a.bin" in str(streamed.value)


def test_password_in_base_url_is_in_no_repr_error_or_log_record(
    backend: LocalBackend, every_record: Callable[[], list[str]]
) -> None:
    url = backend.url.replace("http://", f"http://alice:{PASSWORD}@")
    session = Session(url, api_token=TOKEN, **FAST)
    backend.faults.add("projects/*", method="GET", status=None, drop_connection="before", times=1)
    with pytest.raises(Project.DoesNotExist) as caught:
        Project.get(424242, session=session)
    assert "alice" not in repr(session)
    assert_clean(repr(session), str(caught.value), *every_record())


def test_no_cookie_travels_between_the_backend_and_file_hosts(
    backend: LocalBackend, foreign: LocalBackend, session: Session
) -> None:
    """Cookie jars scope by host name, not port: the backend and a file host on 127.0.0.1 would share one."""
    backend.faults.add(
        "projects/",
        method="GET",
        status=200,
        body={"count": 0, "next": None, "results": []},
        headers={"Set-Cookie": "backend_session=B1; Path=/"},
        times=1,
    )
    session.get("projects/")
    foreign.faults.add("re:.*", method="GET", status=200, body="file", headers={"Set-Cookie": "planted=F1; Path=/"})
    with session.stream("GET", f"{foreign.url}/media/a.bin") as response:
        assert b"".join(response.iter_bytes()) == b"file"
    session.get("projects/")
    with session.stream("GET", f"{foreign.url}/media/b.bin") as response:
        b"".join(response.iter_bytes())
    sent = [r.headers.get("Cookie") for r in (*backend.requests, *foreign.requests)]
    assert sent == [None] * len(sent)
