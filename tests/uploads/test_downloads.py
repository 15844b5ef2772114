"""download(): Range resume of a .part, atomic rename, no credentials, names confined to dest."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from synapse.errors import InvalidInputError
from synapse.testing import LocalBackend
from synapse.transfers.downloads import download
from synapse.transfers.uploads import upload_data_file
from synapse.transport.session import Session

from ._common import CHUNK, md5_of


def uploaded(session: Session, make_file: Callable[..., Path], size: int = 5 * CHUNK + 7) -> tuple[Path, str]:
    source = make_file(size, name="media.bin")
    return source, upload_data_file(session, source)["file"]


def test_download_into_a_folder_uses_the_url_name_and_sends_no_auth(
    session: Session, backend: LocalBackend, make_file: Callable[..., Path], tmp_path: Path
) -> None:
    source, url = uploaded(session, make_file)
    backend.clear_log()
    dest = tmp_path / "out"
    dest.mkdir()
    path = download(session, url, dest)
    assert path == dest / "media.bin"
    assert path.read_bytes() == source.read_bytes()
    (get,) = backend.requests
    assert "Synapse-Access-Token" not in get.headers and "Authorization" not in get.headers
    assert not list(dest.glob("*.part"))


class Interrupted(Exception):
    """Stands for a process stopped mid-download (Ctrl-C, a crash)."""


def interrupted_download(session: Session, url: str, target: Path, after: int) -> None:
    """Start a download and stop it once ``after`` bytes are on disk, leaving its part file."""

    def stop(done: int, total: int) -> None:
        if done >= after:
            raise Interrupted

    with pytest.raises(Interrupted):
        download(session, url, target, progress=stop)


def test_an_interrupted_download_is_resumed_with_range_and_if_range(
    session: Session, backend: LocalBackend, make_file: Callable[..., Path], tmp_path: Path
) -> None:
    source, url = uploaded(session, make_file, size=3 * 1024 * 1024 + 7)
    target = tmp_path / "resume.bin"
    interrupted_download(session, url, target, after=1)
    have = (tmp_path / "resume.bin.part").stat().st_size
    assert 0 < have < source.stat().st_size and not target.exists()
    backend.clear_log()
    seen: list[tuple[int, int]] = []
    path = download(session, url, target, progress=lambda d, t: seen.append((d, t)))
    assert path.read_bytes() == source.read_bytes()
    (get,) = backend.requests
    assert get.headers["Range"] == f"bytes={have}-" and get.headers["If-Range"]
    assert get.status == 206
    assert seen[0][0] >= have and seen[-1] == (source.stat().st_size,) * 2
    assert not list(tmp_path.glob("resume.bin.*")), "part file, sidecar and lock are gone"


def test_a_part_file_without_its_sidecar_is_not_continued(
    session: Session, backend: LocalBackend, make_file: Callable[..., Path], tmp_path: Path
) -> None:
    source, url = uploaded(session, make_file)
    (tmp_path / "orphan.bin.part").write_bytes(source.read_bytes()[:12345])
    backend.clear_log()
    assert download(session, url, tmp_path / "orphan.bin").read_bytes() == source.read_bytes()
    assert "Range" not in backend.requests[0].headers


def test_resume_false_ignores_the_part_file(
    session: Session, backend: LocalBackend, make_file: Callable[..., Path], tmp_path: Path
) -> None:
    source, url = uploaded(session, make_file)
    (tmp_path / "fresh.bin.part").write_bytes(b"garbage")
    backend.clear_log()
    path = download(session, url, tmp_path / "fresh.bin", resume=False)
    assert path.read_bytes() == source.read_bytes()
    assert "Range" not in backend.requests[0].headers


def test_a_dropped_download_is_continued_within_the_call(
    session: Session, backend: LocalBackend, make_file: Callable[..., Path], tmp_path: Path
) -> None:
    source, url = uploaded(session, make_file)
    backend.faults.add("media/*", method="GET", status=None, drop_connection="before", times=1)
    backend.clear_log()
    assert download(session, url, tmp_path / "again.bin").read_bytes() == source.read_bytes()


def test_an_existing_file_is_kept_only_when_it_matches_the_checksum(
    session: Session, backend: LocalBackend, make_file: Callable[..., Path], tmp_path: Path
) -> None:
    source, url = uploaded(session, make_file)
    md5 = md5_of(source)
    target = tmp_path / "kept.bin"
    target.write_bytes(b"old")
    backend.clear_log()
    for checksum in (None, md5):
        with pytest.raises(InvalidInputError, match="already exists"):
            download(session, url, target, md5=checksum)
    assert target.read_bytes() == b"old" and backend.request_count == 0
    assert download(session, url, target, overwrite=True).read_bytes() == source.read_bytes()
    backend.clear_log()
    assert download(session, url, target, md5=md5) == target
    assert backend.request_count == 0, "a file that matches the checksum is done"


def test_a_failed_download_leaves_no_final_file(
    session: Session, backend: LocalBackend, make_file: Callable[..., Path], tmp_path: Path
) -> None:
    _, url = uploaded(session, make_file)
    backend.faults.add("media/*", method="GET", status=500, times=None)
    with pytest.raises(Exception, match="500"):
        download(session, url, tmp_path / "never.bin", attempts=2)
    assert not (tmp_path / "never.bin").exists()


@pytest.mark.parametrize("name", ["../evil", "/etc/evil", "a/b", "..", ".", "", "x\\y"])
def test_escaping_names_are_refused(
    name: str, session: Session, backend: LocalBackend, make_file: Callable[..., Path], tmp_path: Path
) -> None:
    _, url = uploaded(session, make_file, size=10)
    backend.clear_log()
    dest = tmp_path / "inside"
    with pytest.raises(InvalidInputError):
        download(session, url, dest, filename=name)
    assert backend.request_count == 0
    assert not (tmp_path / "evil").exists()
    assert not dest.exists()


def test_an_escaping_name_in_the_url_is_refused(session: Session, backend: LocalBackend, tmp_path: Path) -> None:
    dest = tmp_path / "inside"
    dest.mkdir()
    with pytest.raises(InvalidInputError):
        download(session, backend.url + "/media/abc/..%2Fevil", dest)
    assert backend.request_count == 0
    assert not (tmp_path / "evil").exists()


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/x", "data:text/plain,hi", "/relative"])
def test_non_http_schemes_are_refused(url: str, session: Session, backend: LocalBackend, tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError):
        download(session, url, tmp_path, filename="x")
    assert backend.request_count == 0


def test_a_server_ignoring_range_restarts_the_part_file(
    session: Session, backend: LocalBackend, make_file: Callable[..., Path], tmp_path: Path
) -> None:
    source, url = uploaded(session, make_file, size=3 * 1024 * 1024 + 7)
    data = source.read_bytes()
    target = tmp_path / "whole.bin"
    interrupted_download(session, url, target, after=1)
    backend.faults.add("media/*", method="GET", status=200, times=1, body=data, content_type="application/octet-stream")
    backend.clear_log()
    seen: list[tuple[int, int]] = []
    path = download(session, url, target, progress=lambda d, t: seen.append((d, t)))
    (get,) = backend.requests
    assert get.headers["Range"].startswith("bytes=") and get.status == 200
    assert path.read_bytes() == data
    assert seen[-1] == (len(data), len(data))
    assert not (tmp_path / "whole.bin.part").exists()
