"""Uploads against servers that lie: they may slow an upload down, never make us accept a wrong one."""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from synapse import BackendClient
from synapse.errors import IntegrityError, ResponseError
from synapse.testing import LocalBackend
from synapse.transfers.uploads import chunked_upload, upload_data_file
from synapse.transport.session import Session

from ._common import FAST, TOKEN
from .hostile_server import HostileServer, Reply, Request

CHUNK = 64 * 1024
FINALIZE = "re:^chunked_upload/[0-9a-f]+/$"
_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+)")


def write(path: Path, size: int) -> Path:
    path.write_bytes(hashlib.sha512(path.name.encode()).digest() * (size // 64) + b"x" * (size % 64))
    return path


class ChunkServer:
    """The chunked protocol, except that the server can lose what it accepted or claim more than it got.

    ``forget``: the accepted-chunk counts after which the stored bytes are lost (offset back to 0).
    ``jump``: extra bytes added to the offset of the second accepted chunk. Past ``limit`` PUTs it
    answers 500, so a client that never stops still ends.
    """

    def __init__(self, *, forget: frozenset[int] = frozenset(), jump: int = 0, limit: int = 300) -> None:
        self.offset = self.accepted = self.puts = self.received = 0
        self.forget, self.jump, self.limit = forget, jump, limit
        self.base = ""

    def __call__(self, request: Request) -> Reply:
        upload = {"id": "u1", "url": f"{self.base}/chunked_upload/u1/"}
        if request.method == "POST":
            md5 = json.loads(request.body)["md5"]
            return json_reply({**upload, "checksum": md5, "completed_at": "now"})
        if request.method == "GET":
            return json_reply({**upload, "offset": self.offset})
        self.puts += 1
        if self.puts > self.limit:
            return json_reply({"detail": "enough"}, 500)
        match = _RANGE.match(request.headers["content-range"])
        assert match is not None
        start, end = int(match.group(1)), int(match.group(2))
        if start != self.offset:
            return json_reply({"detail": "Offsets do not match", "offset": self.offset}, 400)
        self.received += end - start + 1
        self.accepted += 1
        self.offset = end + 1
        answered = self.offset + (self.jump if self.accepted == 2 else 0)
        if self.accepted in self.forget:
            self.offset = 0
        return json_reply({**upload, "offset": answered})


def json_reply(body: Any, status: int = 200) -> Reply:
    return Reply(status, json.dumps(body).encode(), {"Content-Type": "application/json"})


def serve(hostile: Callable[..., HostileServer], handler: ChunkServer) -> Session:
    server = hostile(handler)
    handler.base = server.url
    return Session(server.url, api_token=TOKEN, **FAST)


def test_a_server_that_keeps_losing_accepted_chunks_ends_in_an_error(
    hostile: Callable[..., HostileServer], tmp_path: Path
) -> None:
    source = write(tmp_path / "big.bin", 16 * CHUNK)
    server = ChunkServer(forget=frozenset(range(3, 300, 3)))
    with pytest.raises(ResponseError, match="moved the upload back"):
        chunked_upload(serve(hostile, server), source, chunk_size=CHUNK)
    assert server.received <= 5 * source.stat().st_size, "a bounded number of rewinds, not an endless upload"


def test_a_server_that_loses_accepted_chunks_once_still_gets_the_file(
    hostile: Callable[..., HostileServer], tmp_path: Path
) -> None:
    source = write(tmp_path / "big.bin", 16 * CHUNK)
    server = ChunkServer(forget=frozenset({9}))
    reply = chunked_upload(serve(hostile, server), source, chunk_size=CHUNK)
    assert reply["checksum"] == hashlib.md5(source.read_bytes()).hexdigest()
    assert server.received == 25 * CHUNK, "nine chunks, lost, then the whole file again"


def test_an_offset_past_what_was_sent_is_refused(hostile: Callable[..., HostileServer], tmp_path: Path) -> None:
    source = write(tmp_path / "big.bin", 8 * CHUNK)
    with pytest.raises(ResponseError, match="past the"):
        chunked_upload(serve(hostile, ChunkServer(jump=3 * CHUNK)), source, chunk_size=CHUNK)


def test_a_finalize_reply_without_a_checksum_is_checked_with_a_get(
    backend: LocalBackend, session: Session, tmp_path: Path
) -> None:
    source = write(tmp_path / "model.bin", 3 * CHUNK + 5)
    backend.faults.add(FINALIZE, method="POST", status=200, body={"id": "x"}, times=1, after_handler=True)
    reply = chunked_upload(session, source, chunk_size=CHUNK)
    assert reply["checksum"] == hashlib.md5(source.read_bytes()).hexdigest()
    assert backend.requests[-1].method == "GET", "the state was read back after the bare finalize reply"


@pytest.mark.parametrize("entry", ["chunked_upload", "create_chunked_upload", "Model.create"])
def test_a_finalize_reply_without_a_checksum_that_the_server_cannot_confirm_fails(
    entry: str, backend: LocalBackend, session: Session, tmp_path: Path
) -> None:
    source = write(tmp_path / "model.bin", 2 * CHUNK + 5)
    backend.faults.add(FINALIZE, method="POST", status=200, body={"id": "x"}, times=None)
    with pytest.raises(IntegrityError, match="no checksum"):
        if entry == "chunked_upload":
            chunked_upload(session, source, chunk_size=CHUNK)
        elif entry == "create_chunked_upload":
            BackendClient(session=session).create_chunked_upload(source, chunk_size=CHUNK)
        else:
            from synapse import Model

            Model.create(name="m", file=source, chunk_size=CHUNK, session=session)
    assert backend.count("models") == 0


@pytest.mark.skipif(sys.platform != "linux", reason="needs a file system that takes any bytes as a name")
def test_a_local_file_name_that_is_not_utf8_uploads(session: Session, tmp_path: Path, backend: LocalBackend) -> None:
    source = Path(os.fsdecode(bytes(tmp_path) + b"/caf\xe9.bin"))
    source.write_bytes(b"bytes of a file with a latin-1 name")
    plain = upload_data_file(session, source)
    chunked = upload_data_file(session, source, chunked=True, chunk_size=CHUNK)
    assert plain["checksum"] == chunked["checksum"] == hashlib.md5(source.read_bytes()).hexdigest()
    assert plain["filename"] == "caf_.bin"
