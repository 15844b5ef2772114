"""upload_many: parallel batches over one session, partial failure, skipping what the server has."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from synapse.errors import InvalidInputError, UploadError
from synapse.testing import LocalBackend
from synapse.transfers.uploads import upload_many
from synapse.transport.session import Session

from ._common import CHUNK, md5_of, unreadable_supported


@pytest.mark.parametrize("workers", [1, 8])
def test_results_come_back_in_input_order(
    workers: int, session: Session, backend: LocalBackend, make_file: Callable[..., Path]
) -> None:
    files = [make_file(100 + i * 997, name=f"f{i}.bin", seed=i) for i in range(12)]
    files.append(make_file(3 * CHUNK + 1, name="big.bin", seed=99))
    results = upload_many(session, files, workers=workers, chunked=None, chunk_size=CHUNK)
    assert [r["checksum"] for r in results] == [md5_of(f) for f in files]
    assert len({r["id"] for r in results}) == len(files)


def test_chunked_batch_with_overall_progress(session: Session, make_file: Callable[..., Path]) -> None:
    files = [make_file(2 * CHUNK + i, name=f"c{i}.bin", seed=i) for i in range(4)]
    total = sum(f.stat().st_size for f in files)
    seen: list[tuple[int, int]] = []
    results = upload_many(
        session, files, workers=4, chunked=True, chunk_size=CHUNK, progress=lambda d, t: seen.append((d, t))
    )
    assert [r["checksum"] for r in results] == [md5_of(f) for f in files]
    assert seen[-1] == (total, total)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_a_missing_file_is_reported_and_the_others_upload(
    session: Session, make_file: Callable[..., Path], tmp_path: Path
) -> None:
    good = [make_file(500, name=f"g{i}.bin", seed=i) for i in range(3)]
    paths = [good[0], tmp_path / "nope.bin", good[1], tmp_path, good[2]]
    with pytest.raises(UploadError) as caught:
        upload_many(session, paths, workers=4)
    error = caught.value
    assert [f.path for f in error.failures] == [str(tmp_path / "nope.bin"), str(tmp_path)]
    assert all(isinstance(f.error, InvalidInputError) for f in error.failures)
    assert error.results[1] is None and error.results[3] is None
    assert [r["checksum"] for r in (error.results[0], error.results[2], error.results[4])] == [md5_of(f) for f in good]


def test_an_unreadable_file_is_reported(
    session: Session, make_file: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    good = make_file(10, name="ok.bin")
    locked = make_file(10, name="locked.bin", seed=1)
    if unreadable_supported():
        os.chmod(locked, 0)
    else:  # permission bits do not stop root: make opening this one file fail the same way
        real_open = Path.open

        def guarded_open(self: Path, *args: Any, **kwargs: Any) -> Any:
            if self.name == locked.name:
                raise PermissionError(13, "Permission denied", str(self))
            return real_open(self, *args, **kwargs)

        monkeypatch.setattr(Path, "open", guarded_open)
    try:
        with pytest.raises(UploadError) as caught:
            upload_many(session, [locked, good])
    finally:
        os.chmod(locked, 0o600)
    assert "Permission denied" in caught.value.failures[0].reason
    assert caught.value.failures[0].path == str(locked)
    assert caught.value.results[1] is not None


def test_a_server_failure_on_one_item_does_not_stop_the_batch(
    session: Session, backend: LocalBackend, make_file: Callable[..., Path]
) -> None:
    files = [make_file(CHUNK + i, name=f"s{i}.bin", seed=i) for i in range(3)]
    backend.faults.add("data_files/", method="POST", status=400, body={"file": ["rejected"]}, times=1)
    with pytest.raises(UploadError) as caught:
        upload_many(session, files, workers=1)
    assert len(caught.value.failures) == 1
    assert "rejected" in caught.value.failures[0].reason
    assert sum(r is not None for r in caught.value.results) == 2


def test_skip_existing_sends_no_file_bytes_on_a_rerun(
    session: Session, backend: LocalBackend, make_file: Callable[..., Path]
) -> None:
    files = [make_file(1000 + i, name=f"e{i}.bin", seed=i) for i in range(5)]
    first = upload_many(session, files, workers=4, skip_existing=True)
    backend.clear_log()
    second = upload_many(session, files, workers=4, skip_existing=True)
    sent = [r for r in backend.requests if r.method in ("PUT", "POST") and r.path != "data_files/verify_checksums/"]
    assert sent == []
    assert [(r["id"], r["checksum"]) for r in second] == [(r["id"], r["checksum"]) for r in first]
    assert all(isinstance(r, dict) and r["checksum"] == md5_of(f) for r, f in zip(second, files, strict=True))


def test_skip_existing_uploads_only_what_is_new(
    session: Session, backend: LocalBackend, make_file: Callable[..., Path]
) -> None:
    old = make_file(800, name="old.bin")
    upload_many(session, [old])
    new = make_file(900, name="new.bin", seed=5)
    backend.clear_log()
    results = upload_many(session, [old, new], skip_existing=True)
    posts = [r for r in backend.requests if r.method == "POST" and r.path == "data_files/"]
    assert len(posts) == 1
    assert [r["checksum"] for r in results] == [md5_of(old), md5_of(new)]


def test_bad_batch_arguments_are_refused_before_any_request(
    session: Session, backend: LocalBackend, make_file: Callable[..., Path]
) -> None:
    source = make_file(10)
    for kwargs in ({"workers": 0}, {"workers": -1}, {"workers": True}, {"chunk_size": 0}):
        with pytest.raises(InvalidInputError):
            upload_many(session, [source], **kwargs)
    with pytest.raises(InvalidInputError):
        upload_many(session, str(source))
    assert backend.request_count == 0


def test_empty_batch_returns_an_empty_list(session: Session, backend: LocalBackend) -> None:
    assert upload_many(session, []) == []
    assert backend.request_count == 0


def test_the_same_file_twice_is_uploaded_once(
    session: Session, backend: LocalBackend, make_file: Callable[..., Path]
) -> None:
    source = make_file(2 * CHUNK + 1)
    results = upload_many(session, [source, str(source), source], workers=3, chunked=True, chunk_size=CHUNK)
    assert results[0] == results[1] == results[2]
    assert sum(r.method == "POST" and r.path == "data_files/" for r in backend.requests) == 1
