"""Chunked and plain uploads against the local backend: exact bytes, protocol shape, input checks."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest

from synapse.errors import InvalidInputError
from synapse.testing import LocalBackend
from synapse.transfers import uploads
from synapse.transfers.downloads import download
from synapse.transfers.uploads import chunked_upload, file_md5, upload_data_file
from synapse.transport.session import Session

from ._common import CHUNK, md5_of

EMPTY_MD5 = hashlib.md5(b"").hexdigest()


@pytest.mark.parametrize("size", [1, CHUNK, CHUNK + 1, 7 * CHUNK + 123])
def test_chunked_round_trip_is_byte_identical(
    size: int, session: Session, backend: LocalBackend, make_file: Callable[..., Path], tmp_path: Path
) -> None:
    source = make_file(size)
    reply = chunked_upload(session, source, chunk_size=CHUNK)
    assert reply["checksum"] == md5_of(source)
    assert reply["size"] == size
    copy = download(session, reply["file"], tmp_path / "out" / "copy.bin")
    assert copy.read_bytes() == source.read_bytes()
    puts = [r for r in backend.requests if r.method == "PUT"]
    assert len(puts) == -(-size // CHUNK)
    assert puts[0].path == "chunked_upload/"
    assert all(r.path.startswith("chunked_upload/") and r.path != "chunked_upload/" for r in puts[1:])
    ranges = [r.headers["Content-Range"] for r in puts]
    assert ranges[0] == f"bytes 0-{min(CHUNK, size) - 1}/{size}"
    assert ranges[-1].endswith(f"-{size - 1}/{size}")


def test_empty_file_posts_the_empty_md5_without_any_put(
    session: Session, backend: LocalBackend, make_file: Callable[..., Path], tmp_path: Path
) -> None:
    source = make_file(0)
    reply = chunked_upload(session, source, chunk_size=CHUNK)
    assert [(r.method, r.path) for r in backend.requests] == [("POST", "chunked_upload/")]
    assert reply["checksum"] == EMPTY_MD5
    copy = download(session, reply["file"], tmp_path / "out", filename="empty.bin")
    assert copy.read_bytes() == b""


def test_chunk_put_has_the_official_multipart_shape(
    session: Session, backend: LocalBackend, make_file: Callable[..., Path]
) -> None:
    source = make_file(10, name="shape.txt")
    chunked_upload(session, source, chunk_size=CHUNK)
    put = next(r for r in backend.requests if r.method == "PUT")
    assert put.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    assert put.headers["Content-Range"] == "bytes 0-9/10"
    assert int(put.headers["Content-Length"]) == put.body_size


def test_plain_upload_is_one_multipart_post(
    session: Session, backend: LocalBackend, make_file: Callable[..., Path], tmp_path: Path
) -> None:
    source = make_file(3 * CHUNK, name="plain.bin")
    reply = upload_data_file(session, source, meta={"label": "cat"})
    assert [(r.method, r.path) for r in backend.requests] == [("POST", "data_files/")]
    assert reply["checksum"] == md5_of(source)
    assert isinstance(reply["id"], int)
    assert download(session, reply["file"], tmp_path / "plain.bin").read_bytes() == source.read_bytes()


def test_chunked_data_file_finishes_with_a_json_data_files_post(
    session: Session, backend: LocalBackend, make_file: Callable[..., Path]
) -> None:
    source = make_file(2 * CHUNK + 5)
    reply = upload_data_file(session, source, chunked=True, chunk_size=CHUNK)
    assert reply["checksum"] == md5_of(source)
    calls = [(r.method, r.path.split("/")[0]) for r in backend.requests]
    assert calls == [("PUT", "chunked_upload")] * 3 + [("POST", "chunked_upload"), ("POST", "data_files")]


def test_auto_chunking_threshold(
    session: Session, backend: LocalBackend, make_file: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(uploads, "CHUNKED_THRESHOLD", 2 * CHUNK)
    at_threshold = make_file(2 * CHUNK, name="at.bin")
    above = make_file(2 * CHUNK + 1, name="above.bin")
    upload_data_file(session, at_threshold, chunk_size=CHUNK)
    assert not any(r.method == "PUT" for r in backend.requests)
    upload_data_file(session, above, chunk_size=CHUNK)
    assert sum(r.method == "PUT" for r in backend.requests) == 3
    backend.clear_log()
    upload_data_file(session, above, chunked=False)
    assert [r.method for r in backend.requests] == ["POST"]


def test_progress_callback_is_monotonic_and_ends_at_total(session: Session, make_file: Callable[..., Path]) -> None:
    source = make_file(5 * CHUNK + 17)
    seen: list[tuple[int, int]] = []
    chunked_upload(session, source, chunk_size=CHUNK, progress=lambda done, total: seen.append((done, total)))
    total = 5 * CHUNK + 17
    assert seen[-1] == (total, total)
    assert all(t == total for _, t in seen)
    assert [d for d, _ in seen] == sorted({d for d, _ in seen})


def test_progress_true_without_a_terminal_still_uploads(session: Session, make_file: Callable[..., Path]) -> None:
    source = make_file(CHUNK + 1)
    assert chunked_upload(session, source, chunk_size=CHUNK, progress=True)["size"] == CHUNK + 1


def test_progress_true_draws_a_tqdm_byte_bar(
    session: Session, make_file: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    source = make_file(3 * CHUNK, name="bar.bin")
    chunked_upload(session, source, chunk_size=CHUNK, progress=True)
    drawn = capsys.readouterr().err
    assert "bar.bin" in drawn and "100%" in drawn and "192k/192k" in drawn and "B/s" in drawn


def test_an_empty_file_uploads_plain_and_chunked(session: Session, make_file: Callable[..., Path]) -> None:
    source = make_file(0, name="empty.bin")
    for chunked in (False, True):
        reply = upload_data_file(session, source, chunked=chunked)
        assert (reply["size"], reply["checksum"]) == (0, EMPTY_MD5)


def test_journal_is_removed_after_success(session: Session, make_file: Callable[..., Path], cache_dir: Path) -> None:
    source = make_file(3 * CHUNK)
    chunked_upload(session, source, chunk_size=CHUNK)
    assert not list((cache_dir / "uploads").glob("*.json"))


def test_bad_input_is_refused_before_any_request(
    session: Session, backend: LocalBackend, make_file: Callable[..., Path], tmp_path: Path
) -> None:
    source = make_file(10)
    cases: list[Callable[[], object]] = [
        lambda: chunked_upload(session, tmp_path / "missing.bin"),
        lambda: chunked_upload(session, tmp_path),
        lambda: chunked_upload(session, source, chunk_size=0),
        lambda: chunked_upload(session, source, chunk_size=-5),
        lambda: upload_data_file(session, source, meta=["not", "a", "dict"]),  # type: ignore[arg-type]
        lambda: upload_data_file(session, 42),  # type: ignore[arg-type]
        lambda: chunked_upload(session, source, progress="yes"),  # type: ignore[arg-type]
    ]
    for case in cases:
        with pytest.raises(InvalidInputError):
            case()
    assert backend.request_count == 0


def test_file_md5_matches_hashlib(make_file: Callable[..., Path]) -> None:
    source = make_file(3 * CHUNK + 3)
    assert file_md5(source) == md5_of(source)
    assert file_md5(source, chunk_size=7) == md5_of(source)


def test_plain_upload_retried_after_a_503_still_matches_its_checksum(
    session: Session, backend: LocalBackend, make_file: Callable[..., Path]
) -> None:
    source = make_file(CHUNK + 3)
    backend.faults.add("data_files/", method="POST", status=503, times=2)
    reply = upload_data_file(session, source)
    statuses = [r.status for r in backend.requests]
    assert statuses[:2] == [503, 503] and len(statuses) == 3 and statuses[2] in range(200, 300)
    assert reply["checksum"] == md5_of(source)
