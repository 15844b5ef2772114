"""The chunked upload under failure: 5xx, dropped connections, wrong offsets, kills, lost replies."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal

import pytest

from synapse.errors import ClientError, IntegrityError
from synapse.testing import LocalBackend
from synapse.transfers.downloads import download
from synapse.transfers.uploads import chunked_upload
from synapse.transport.session import Session

from ._common import CHUNK, md5_of, put_bytes

SIZE = 8 * CHUNK + 99


def assert_identical(session: Session, reply: dict[str, object], source: Path, tmp_path: Path) -> None:
    assert reply["checksum"] == md5_of(source)
    copy = download(session, str(reply["file"]), tmp_path / "copy" / "file.bin", overwrite=True)
    assert copy.read_bytes() == source.read_bytes()


def interrupted_upload(session: Session, backend: LocalBackend, source: Path, *, after_chunks: int) -> None:
    """Run an upload that dies once ``after_chunks`` chunks are confirmed (every later PUT fails),
    as a killed process would; the faults stay in place for the caller to clear."""

    def cut(done: int, total: int) -> None:
        if done >= after_chunks * CHUNK and not len(backend.faults):
            backend.faults.add("chunked_upload/*", method="PUT", status=503, times=None)

    with pytest.raises(ClientError):
        chunked_upload(session, source, chunk_size=CHUNK, progress=cut)


def test_injected_503s_on_chunk_puts_are_retried(
    session: Session, backend: LocalBackend, make_file: Callable[..., Path], tmp_path: Path
) -> None:
    source = make_file(SIZE)
    backend.faults.add("chunked_upload/*", method="PUT", status=503, times=6, probability=0.5)
    backend.faults.seed(3)
    reply = chunked_upload(session, source, chunk_size=CHUNK)
    assert any(r.status == 503 for r in backend.requests)
    assert_identical(session, reply, source, tmp_path)


def test_more_503s_than_the_session_retries_are_absorbed_by_chunk_retries(
    session: Session, backend: LocalBackend, make_file: Callable[..., Path], tmp_path: Path
) -> None:
    source = make_file(SIZE)
    backend.faults.add("re:^chunked_upload/[0-9a-f]+/$", method="PUT", status=503, times=session.retry.max_retries + 2)
    reply = chunked_upload(session, source, chunk_size=CHUNK)
    gets = [r for r in backend.requests if r.method == "GET" and r.path.startswith("chunked_upload/")]
    assert gets, "the chunk retry asks the server for the upload's offset"
    assert_identical(session, reply, source, tmp_path)


@pytest.mark.parametrize("mode", ["before", "after"])
def test_dropped_connections_on_a_chunk_put(
    mode: Literal["before", "after"],
    session: Session,
    backend: LocalBackend,
    make_file: Callable[..., Path],
    tmp_path: Path,
) -> None:
    source = make_file(SIZE)
    backend.faults.add("re:^chunked_upload/[0-9a-f]+/$", method="PUT", status=None, drop_connection=mode, times=2)
    reply = chunked_upload(session, source, chunk_size=CHUNK)
    assert sum(r.fault is not None for r in backend.requests) == 2
    if mode == "after":
        # The server kept the chunk; the resent range was answered with the real offset.
        assert any(r.method == "PUT" and r.status == 400 for r in backend.requests)
    assert_identical(session, reply, source, tmp_path)


def test_server_reporting_an_earlier_offset_rewinds_and_rehashes(
    session: Session, backend: LocalBackend, make_file: Callable[..., Path], tmp_path: Path
) -> None:
    source = make_file(SIZE)
    bogus = {"detail": "Offsets do not match", "offset": CHUNK}
    seen: list[int] = []

    def progress(done: int, total: int) -> None:
        seen.append(done)
        if done >= 4 * CHUNK and not len(backend.faults):
            backend.faults.add("chunked_upload/*", method="PUT", status=400, body=bogus, times=1, name="rewind")

    reply = chunked_upload(session, source, chunk_size=CHUNK, progress=progress)
    puts = [r for r in backend.requests if r.method == "PUT"]
    rewound = next(i for i, r in enumerate(puts) if r.fault == "rewind")
    # The bogus answer sends the client back to CHUNK; the real server then answers with its
    # true offset (4 chunks), and the client continues from there with a correctly rebuilt MD5.
    assert puts[rewound + 1].headers["Content-Range"].startswith(f"bytes {CHUNK}-")
    assert puts[rewound + 1].status == 400
    assert puts[rewound + 2].headers["Content-Range"].startswith(f"bytes {4 * CHUNK}-")
    assert seen == sorted(seen)
    assert_identical(session, reply, source, tmp_path)


def test_a_killed_upload_resumes_from_the_server_offset(
    session: Session, backend: LocalBackend, make_file: Callable[..., Path], tmp_path: Path, cache_dir: Path
) -> None:
    source = make_file(SIZE)

    interrupted_upload(session, backend, source, after_chunks=3)
    (journal,) = (cache_dir / "uploads").glob("*.json")
    assert backend.token not in journal.read_text(), "the journal never holds credentials"
    first_bytes = put_bytes(backend)
    backend.faults.clear()
    backend.clear_log()

    reply = chunked_upload(session, source, chunk_size=CHUNK)
    second = backend.requests
    assert second[0].method == "GET" and second[0].path.startswith("chunked_upload/")
    assert second[1].headers["Content-Range"].startswith(f"bytes {3 * CHUNK}-")
    sent_again = put_bytes(backend)
    assert sent_again < SIZE - 2 * CHUNK
    assert first_bytes > 0
    assert not list((cache_dir / "uploads").glob("*.json"))
    assert_identical(session, reply, source, tmp_path)


def test_resume_false_starts_over(session: Session, backend: LocalBackend, make_file: Callable[..., Path]) -> None:
    source = make_file(SIZE)

    interrupted_upload(session, backend, source, after_chunks=2)
    backend.faults.clear()
    backend.clear_log()
    chunked_upload(session, source, chunk_size=CHUNK, resume=False)
    assert backend.requests[0].path == "chunked_upload/"
    assert backend.requests[0].headers["Content-Range"].startswith("bytes 0-")


def test_a_changed_file_does_not_resume_the_old_upload(
    session: Session, backend: LocalBackend, make_file: Callable[..., Path], tmp_path: Path
) -> None:
    source = make_file(SIZE)

    interrupted_upload(session, backend, source, after_chunks=2)
    backend.faults.clear()
    backend.clear_log()
    source = make_file(SIZE + 1, seed=9)
    reply = chunked_upload(session, source, chunk_size=CHUNK)
    assert backend.requests[0].path == "chunked_upload/"
    assert_identical(session, reply, source, tmp_path)


def test_an_expired_upload_in_the_journal_starts_over(
    session: Session, backend: LocalBackend, make_file: Callable[..., Path], tmp_path: Path
) -> None:
    source = make_file(SIZE)

    interrupted_upload(session, backend, source, after_chunks=2)
    backend.faults.clear()
    backend.faults.add("re:^chunked_upload/[0-9a-f]+/$", method="GET", status=410, times=1)
    backend.clear_log()
    reply = chunked_upload(session, source, chunk_size=CHUNK)
    assert [r.status for r in backend.requests[:1]] == [410]
    assert backend.requests[1].path == "chunked_upload/"
    assert_identical(session, reply, source, tmp_path)


def test_lost_finalize_reply_is_recovered_by_the_recheck(
    session: Session, backend: LocalBackend, make_file: Callable[..., Path], tmp_path: Path
) -> None:
    source = make_file(SIZE)
    backend.faults.add("chunked_upload/*", method="POST", status=None, drop_connection="after", times=1)
    reply = chunked_upload(session, source, chunk_size=CHUNK)
    calls = [(r.method, r.fault is not None) for r in backend.requests if r.method != "PUT"]
    assert calls[0] == ("POST", True)
    assert ("GET", False) in calls[1:]
    assert sum(r.method == "POST" for r in backend.requests) == 1
    assert reply["completed_at"]
    assert_identical(session, reply, source, tmp_path)


def test_finalize_lost_before_reaching_the_server_is_sent_again(
    session: Session, backend: LocalBackend, make_file: Callable[..., Path], tmp_path: Path
) -> None:
    source = make_file(SIZE)
    backend.faults.add("chunked_upload/*", method="POST", status=None, drop_connection="before", times=1)
    reply = chunked_upload(session, source, chunk_size=CHUNK)
    assert sum(r.method == "POST" for r in backend.requests) == 2
    assert_identical(session, reply, source, tmp_path)


def test_checksum_mismatch_raises_integrity_error(
    session: Session, backend: LocalBackend, make_file: Callable[..., Path], cache_dir: Path
) -> None:
    source = make_file(SIZE)
    wrong = {"id": "x", "checksum": "0" * 32, "size": SIZE, "completed_at": "now", "status": 2}
    backend.faults.add("chunked_upload/*", method="POST", status=200, body=wrong, times=1)
    with pytest.raises(IntegrityError, match="0" * 32):
        chunked_upload(session, source, chunk_size=CHUNK)
    assert not list((cache_dir / "uploads").glob("*.json"))


def test_server_rejecting_the_md5_raises_integrity_error(
    session: Session, backend: LocalBackend, make_file: Callable[..., Path]
) -> None:
    source = make_file(SIZE)
    backend.faults.add("chunked_upload/*", method="POST", status=400, body={"detail": "md5 mismatch"}, times=1)
    with pytest.raises(IntegrityError, match="md5 mismatch"):
        chunked_upload(session, source, chunk_size=CHUNK)
