"""A process killed with SIGKILL mid-upload; the next run resumes under faults and ends byte-identical."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from synapse.testing import LocalBackend
from synapse.transfers.downloads import download
from synapse.transfers.uploads import chunked_upload, file_md5, upload_data_file
from synapse.transport.session import Session

from ._common import TOKEN

CHUNK = 64 * 1024
SIZE = 10 * CHUNK + 123
KILL_AFTER = 4 * CHUNK

CHILD = textwrap.dedent(
    """
    import os, signal, sys
    from synapse.transport.session import Session
    from synapse.transfers.uploads import chunked_upload

    url, token, path, chunk, kill_after = sys.argv[1:6]

    def progress(done, total):
        if done >= int(kill_after):
            os.kill(os.getpid(), signal.SIGKILL)

    chunked_upload(Session(url, api_token=token), path, chunk_size=int(chunk), progress=progress)
    """
)


def chunk_put_bytes(backend: LocalBackend) -> int:
    return sum(r.body_size for r in backend.requests if r.method == "PUT" and r.status == 200)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_upload_killed_with_sigkill_resumes_under_faults(
    backend: LocalBackend, session: Session, tmp_path: Path
) -> None:
    source = tmp_path / "big.bin"
    source.write_bytes(os.urandom(SIZE))
    child = subprocess.run(
        [sys.executable, "-c", CHILD, backend.url, TOKEN, str(source), str(CHUNK), str(KILL_AFTER)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr[-2000:]
    sent_before_kill = chunk_put_bytes(backend)
    assert KILL_AFTER <= sent_before_kill < SIZE
    journal = list((Path(os.environ["SYNAPSE_CACHE_DIR"]) / "uploads").glob("*.json"))
    assert journal, "the killed process left its journal"
    assert TOKEN not in journal[0].read_text()

    backend.clear_log()
    backend.faults.seed(4)  # a seed whose first draws hit both faults within the six remaining chunks
    backend.faults.add("chunked_upload/*", method="PUT", status=503, times=None, probability=0.25, name="503")
    backend.faults.add(
        "chunked_upload/*",
        method="PUT",
        status=None,
        drop_connection="after",
        times=None,
        probability=0.25,
        name="drop",
    )
    reply = chunked_upload(session, source, chunk_size=CHUNK)
    assert {r.fault for r in backend.requests if r.fault} == {"503", "drop"}
    first = backend.requests[0]
    assert first.method == "GET" and first.path.startswith("chunked_upload/"), "resume asks the server first"
    assert not any(r.headers.get("Content-Range", "").startswith("bytes 0-") for r in backend.requests)
    assert reply["checksum"] == file_md5(source)
    copy = download(session, str(reply["file"]), tmp_path / "copy.bin")
    assert copy.read_bytes() == source.read_bytes()


@settings(max_examples=15, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=3000), chunk_size=st.integers(min_value=1, max_value=1024), chunked=st.booleans())
def test_random_bytes_round_trip_through_upload_and_download(
    session: Session, tmp_path: Path, data: bytes, chunk_size: int, chunked: bool
) -> None:
    source = tmp_path / "random.bin"
    source.write_bytes(data)
    reply = upload_data_file(session, source, chunked=chunked, chunk_size=chunk_size)
    copy = download(session, str(reply["file"]), tmp_path / "out", filename="copy.bin", overwrite=True)
    assert copy.read_bytes() == data
