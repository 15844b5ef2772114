"""Answers are bounded in memory and in time, and a malformed one ends in a typed error.

The broken servers here are raw sockets on loopback (``_raw.RawServer``) or LocalBackend faults.
"""

from __future__ import annotations

import gzip
import json
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from typing import Any

import pytest

from synapse import Project
from synapse.errors import APITimeoutError, ConfigurationError, HTTPError, ResponseError, ResponseIncompleteError
from synapse.testing import LocalBackend
from synapse.transport.session import Session

from ._common import FAST, TOKEN
from ._raw import Exchange, RawServer, endless_chunks, gzip_bomb

MiB = 1 << 20
SMALL_CAP = 4 * MiB
TOTAL = 2.0
SLACK = 0.6


@pytest.fixture
def sessions() -> Iterator[list[Session]]:
    made: list[Session] = []
    yield made
    for session in made:
        session.close()


def connect(made: list[Session], server: RawServer, **options: Any) -> Session:
    session = Session(server.url, api_token=TOKEN, **{**FAST, **options})
    made.append(session)
    return session


def encoded(body: bytes, encoding: str) -> Any:
    def handler(exchange: Exchange) -> None:
        headers = {"Content-Type": "application/json", "Content-Encoding": encoding}
        exchange.answer("200 OK", body, headers)

    return handler


def test_gzip_bomb_is_refused_at_the_default_cap_without_holding_it(sessions: list[Session]) -> None:
    """6 MiB on the wire, 6 GiB decoded: refused once the default 256 MiB cap is reached."""
    with RawServer(encoded(gzip_bomb(6 << 30), "gzip")) as server:
        session = connect(sessions, server)
        tracemalloc.start()
        try:
            with pytest.raises(ResponseError, match="larger than 256 MiB"):
                session.get("projects/")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert session.request_count == 1
    assert peak < 300 * MiB


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_compressed_answer_over_the_configured_cap_is_a_response_error(sessions: list[Session], encoding: str) -> None:
    zeros = b"\0" * (64 * MiB)
    body = gzip.compress(zeros) if encoding == "gzip" else zlib.compress(zeros)
    with RawServer(encoded(body, encoding)) as server:
        session = connect(sessions, server, max_answer_bytes=SMALL_CAP)
        with pytest.raises(ResponseError, match="larger than 4 MiB"):
            session.get("projects/")


def test_endless_body_is_cut_at_the_cap(sessions: list[Session]) -> None:
    with RawServer(endless_chunks) as server:
        session = connect(sessions, server, max_answer_bytes=SMALL_CAP)
        started = time.monotonic()
        with pytest.raises(ResponseError, match="larger than 4 MiB"):
            session.get("projects/")
        assert time.monotonic() - started < TOTAL


def test_announced_huge_body_is_refused_before_reading_it(sessions: list[Session]) -> None:
    def handler(exchange: Exchange) -> None:
        exchange.send(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 10737418240\r\n\r\n[")
        exchange.stopping.wait(3)

    with RawServer(handler) as server:
        session = connect(sessions, server)
        started = time.monotonic()
        with pytest.raises(ResponseError, match="10240 MiB"):
            session.get("projects/")
        assert time.monotonic() - started < 0.5


def test_a_cap_must_be_a_positive_int() -> None:
    for bad in (0, -1, 1.5, "big", True):
        with pytest.raises(ConfigurationError, match="max_answer_bytes"):
            Session("http://127.0.0.1:9/api/v1", api_token=TOKEN, max_answer_bytes=bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("status", [200, 400])
def test_deeply_nested_json_is_a_response_error(backend: LocalBackend, session: Session, status: int) -> None:
    body = "[" * 100_000 + "]" * 100_000
    backend.faults.add("projects/", method="GET", status=status, body=body, content_type="application/json")
    with pytest.raises(ResponseError, match="nested"):
        session.get("projects/")


def test_json_nested_below_the_limit_is_read(backend: LocalBackend, session: Session) -> None:
    value: Any = "leaf"
    for _ in range(100):
        value = [value]
    backend.faults.add("projects/", method="GET", status=200, body=json.dumps(value), content_type="application/json")
    assert session.get("projects/") == value


def test_unknown_charset_is_a_response_error(backend: LocalBackend, session: Session) -> None:
    backend.faults.add("projects/", method="GET", status=200, body="hello", content_type="text/plain; charset=x-nope")
    with pytest.raises(ResponseError, match="charset"):
        session.get("projects/")


def test_unknown_charset_in_an_error_page_keeps_the_status(backend: LocalBackend, session: Session) -> None:
    backend.faults.add("projects/", method="GET", status=418, body="teapot", content_type="text/html; charset=x-nope")
    with pytest.raises(HTTPError, match="teapot") as caught:
        session.get("projects/")
    assert caught.value.status_code == 418


def test_unknown_charset_in_a_stream_is_a_response_error(backend: LocalBackend, session: Session) -> None:
    backend.faults.add("projects/", method="GET", status=200, body="a\nb\n", content_type="text/plain; charset=x-nope")
    with pytest.raises(ResponseError, match="charset"), session.stream("GET", "projects/", auth=True) as response:
        list(response.iter_lines())


def _dripped_head(exchange: Exchange) -> None:
    """A status line and headers, one byte every 0.1 s: each read is quick, the whole takes 35 s."""
    exchange.drip(b"HTTP/1.1 200 OK\r\nX-Pad: " + b"a" * 330 + b"\r\n\r\n", 0.1)


@pytest.mark.slow
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_dripped_status_line_and_headers_are_cut_at_the_total_timeout(sessions: list[Session], method: str) -> None:
    with RawServer(_dripped_head) as server:
        session = connect(sessions, server, max_retries=3)
        started = time.monotonic()
        expected = APITimeoutError if method == "GET" else ResponseIncompleteError
        with pytest.raises(expected, match="longer than 2s"):
            session.request(method, "projects/", json={} if method == "POST" else None)
        elapsed = time.monotonic() - started
    assert TOTAL <= elapsed < TOTAL + SLACK
    assert session.request_count == 1


@pytest.mark.slow
def test_dripped_headers_of_a_stream_are_cut_at_the_total_timeout(sessions: list[Session]) -> None:
    with RawServer(_dripped_head) as server:
        session = connect(sessions, server, max_retries=0)
        started = time.monotonic()
        with pytest.raises(APITimeoutError), session.stream("GET", f"{server.url}/file.bin"):
            pass
    assert time.monotonic() - started < TOTAL + SLACK


def test_stream_can_ask_for_the_body_exactly_as_sent(sessions: list[Session]) -> None:
    body = gzip.compress(b"file contents " * 1000)

    def handler(exchange: Exchange) -> None:
        exchange.answer("200 OK", body, {"Content-Encoding": "gzip", "Content-Type": "application/octet-stream"})

    with RawServer(handler) as server:
        session = connect(sessions, server)
        with session.stream("GET", f"{server.url}/file.bin", decode=False) as response:
            received = b"".join(response.iter_bytes())
        assert received == body
        assert server.heads[0].lower().count(b"accept-encoding: identity") == 1
        with session.stream("GET", f"{server.url}/file.bin") as response:
            assert b"".join(response.iter_bytes()) == b"file contents " * 1000


def test_endless_line_in_a_stream_is_cut_at_the_cap(sessions: list[Session]) -> None:
    with RawServer(endless_chunks) as server:
        session = connect(sessions, server, max_answer_bytes=SMALL_CAP)
        with pytest.raises(ResponseError, match="line longer than 4 MiB"), session.stream("GET", "x/") as response:
            for _ in response.iter_lines():
                pass


def test_project_get_behind_a_bomb_is_a_response_error(sessions: list[Session]) -> None:
    with RawServer(encoded(gzip_bomb(256 * MiB), "gzip")) as server, pytest.raises(ResponseError):
        Project.get(1, session=connect(sessions, server, max_answer_bytes=SMALL_CAP))
