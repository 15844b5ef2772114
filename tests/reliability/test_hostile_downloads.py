"""Downloads: what ends up on disk is the server's file, or an error; never a mix, never a guess."""

from __future__ import annotations

import gzip
import hashlib
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from synapse import DataFile
from synapse.errors import APIConnectionError, IntegrityError, InvalidInputError, ResponseError
from synapse.testing import LocalBackend
from synapse.transfers.downloads import download
from synapse.transport.session import Session

from .hostile_server import HostileServer, Reply, Request

MIB = 1024 * 1024


class Interrupted(Exception):
    """Stands for a process stopped mid-download (Ctrl-C, a crash)."""


def stop_after(limit: int) -> Callable[[int, int], None]:
    def progress(done: int, total: int) -> None:
        if done >= limit:
            raise Interrupted

    return progress


def upload(session: Session, folder: Path, name: str, data: bytes) -> DataFile:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    return DataFile.upload(folder / name, session=session)


def blob(seed: str, size: int = 3 * MIB + 11) -> bytes:
    return (hashlib.sha512(seed.encode()).digest() * (size // 64 + 1))[:size]


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.suffix in (".part", ".json", ".lock", ".tmp", ".stale"))


def test_a_part_file_left_by_another_file_is_not_continued(session: Session, tmp_path: Path) -> None:
    first = upload(session, tmp_path / "a", "media.bin", blob("A"))
    second = upload(session, tmp_path / "b", "media.bin", blob("B"))
    dest = tmp_path / "out"
    dest.mkdir()
    with pytest.raises(Interrupted):
        first.download(dest, progress=stop_after(MIB))
    assert (dest / "media.bin.part").stat().st_size >= MIB
    path = second.download(dest)
    assert path.read_bytes() == blob("B"), "not A's first MiB followed by B's rest"
    assert leftovers(dest) == []


def test_an_object_changed_between_attempts_is_fetched_whole(
    session: Session, backend: LocalBackend, tmp_path: Path
) -> None:
    data_file = upload(session, tmp_path / "src", "media.bin", blob("v1"))
    assert data_file.file is not None
    target = tmp_path / "out" / "media.bin"
    with pytest.raises(Interrupted):
        download(session, data_file.file, target, progress=stop_after(MIB))
    stored = backend.state.media.path_for(data_file.file.split("/media/")[1].split("/")[0])
    assert stored is not None
    stored.write_bytes(blob("v2"))
    later = time.time() + 60
    os.utime(stored, (later, later))
    assert download(session, data_file.file, target).read_bytes() == blob("v2"), "not v1 + v2"
    with pytest.raises(IntegrityError):
        data_file.download(tmp_path / "checked.bin")  # the DataFile still says v1: the checksum refuses v2
    assert not (tmp_path / "checked.bin").exists()


def test_a_body_cut_short_with_a_clean_chunked_end_is_never_saved_as_complete(
    backend: LocalBackend,
    session: Session,
    hostile: Callable[[Callable[[Request], Reply]], HostileServer],
    tmp_path: Path,
) -> None:
    data = blob("cut")
    server = hostile(lambda request: Reply(200, data[: len(data) // 2], chunked=True))
    md5 = hashlib.md5(data).hexdigest()
    (fid,) = backend.seed("data_files", [{"file": f"{server.url}/f.bin", "checksum": md5, "size": len(data)}])
    with pytest.raises(APIConnectionError, match="ended at"):
        DataFile.get(fid, session=session).download(tmp_path / "f.bin")
    assert not (tmp_path / "f.bin").exists()
    assert len(server.requests) == 5, "each attempt tried again"


def test_two_downloads_to_one_name_at_once_give_one_whole_file(session: Session, tmp_path: Path) -> None:
    first = upload(session, tmp_path / "a", "media.bin", blob("A"))
    second = upload(session, tmp_path / "b", "media.bin", blob("B"))
    dest = tmp_path / "out"
    dest.mkdir()
    together = threading.Barrier(3, timeout=20)
    outcomes: list[object] = []

    def run(data_file: DataFile) -> None:
        met = False

        def progress(done: int, total: int) -> None:
            nonlocal met
            if not met:
                met = True
                together.wait()  # every download has bytes on disk before any goes on

        try:
            outcomes.append(data_file.download(dest, progress=progress).read_bytes())
        except InvalidInputError as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=run, args=(f,)) for f in (first, first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    final = (dest / "media.bin").read_bytes()
    assert final in (blob("A"), blob("B")), "the file is one of the two, whole"
    errors = [o for o in outcomes if isinstance(o, InvalidInputError)]
    assert all(o == final for o in outcomes if not isinstance(o, InvalidInputError))
    assert len(errors) == (2 if final == blob("B") else 1), "whoever came second with other bytes is refused"
    assert leftovers(dest) == []


def test_an_existing_file_of_another_object_is_not_returned_as_this_one(session: Session, tmp_path: Path) -> None:
    first = upload(session, tmp_path / "a", "media.bin", blob("A", 1000))
    second = upload(session, tmp_path / "b", "media.bin", blob("B", 1000))
    dest = str(tmp_path / "out") + os.sep
    assert first.download(dest).read_bytes() == blob("A", 1000)
    assert first.download(dest).read_bytes() == blob("A", 1000), "the same file again is done"
    with pytest.raises(InvalidInputError, match="already exists"):
        second.download(dest)
    assert second.download(dest, overwrite=True).read_bytes() == blob("B", 1000)


def test_an_encoded_body_is_refused_instead_of_inflated(
    session: Session, backend: LocalBackend, tmp_path: Path
) -> None:
    data_file = upload(session, tmp_path / "src", "small.bin", b"tiny")
    bomb = gzip.compress(bytes(16 * MIB))
    backend.faults.add(
        "media/*",
        method="GET",
        status=200,
        body=bomb,
        headers={"Content-Encoding": "gzip"},
        times=None,
        content_type="application/octet-stream",
    )
    assert len(bomb) < 64 * 1024 and data_file.file is not None
    with pytest.raises(ResponseError, match="gzip-encoded"):
        download(session, data_file.file, tmp_path / "out.bin")
    assert not (tmp_path / "out.bin").exists() and leftovers(tmp_path) == []


def test_a_300_character_server_file_name_is_shortened(session: Session, backend: LocalBackend, tmp_path: Path) -> None:
    data_file = upload(session, tmp_path / "src", "x.bin", b"payload")
    assert data_file.file is not None
    url = data_file.file.rsplit("/", 1)[0] + "/" + "n" * 300 + ".bin"
    dest = str(tmp_path / "out") + os.sep
    path = download(session, url, dest)
    assert path.read_bytes() == b"payload" and path.suffix == ".bin" and len(path.name) <= 200
    assert download(session, url, dest, overwrite=True) == path, "the same name every time"
