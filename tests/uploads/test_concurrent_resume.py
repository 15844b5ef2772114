"""Journals under stress: two uploads of one file at once, a journal that cannot be removed."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from synapse.errors import ClientError
from synapse.testing import LocalBackend
from synapse.transfers._journal import BulkJournal, FileIdentity, UploadJournal
from synapse.transfers._lock import FileLock
from synapse.transfers.uploads import chunked_upload
from synapse.transport.session import Session

from ._common import CHUNK, md5_of


def test_concurrent_finalize_requests_of_one_upload_never_fail_the_server(
    session: Session, backend: LocalBackend
) -> None:
    statuses: list[int] = []
    for _ in range(25):
        data = b"x" * 50_000
        headers = {"Content-Range": f"bytes 0-{len(data) - 1}/{len(data)}"}
        reply = session.request("PUT", "chunked_upload/", files={"file": ("f", data)}, headers=headers)
        md5 = hashlib.md5(data).hexdigest()

        def finalize(url: str = reply["url"], md5: str = md5) -> None:
            statuses.append(int(session.request("POST", url, json={"md5": md5})["status"]))

        threads = [threading.Thread(target=finalize) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert statuses == [2] * 100, "every finalize saw the completed upload"
    assert not backend.errors


def test_two_uploads_resuming_one_journal_at_once_both_finish(
    session: Session, backend: LocalBackend, make_file: Callable[..., Path], cache_dir: Path
) -> None:
    source = make_file(24 * CHUNK + 11)

    def cut(done: int, total: int) -> None:
        if done >= 2 * CHUNK and not len(backend.faults):
            backend.faults.add("chunked_upload/*", method="PUT", status=503, times=None)

    with pytest.raises(ClientError):
        chunked_upload(session, source, chunk_size=CHUNK, progress=cut)
    assert list((cache_dir / "uploads").glob("*.json")), "the interrupted upload left its journal"
    backend.faults.clear()

    together = threading.Barrier(2, timeout=20)
    replies: list[dict[str, Any]] = []
    errors: list[BaseException] = []

    def resume() -> None:
        met = False

        def progress(done: int, total: int) -> None:
            nonlocal met
            if not met:
                met = True
                together.wait()  # both uploads are under way before either goes on

        try:
            replies.append(chunked_upload(session, source, chunk_size=CHUNK, progress=progress))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=resume) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert [reply["checksum"] for reply in replies] == [md5_of(source)] * 2
    assert not backend.errors
    assert not list((cache_dir / "uploads").glob("*")), "journal and lock are gone"


def test_a_journal_that_cannot_be_removed_never_fails_a_finished_upload(
    session: Session, backend: LocalBackend, make_file: Callable[..., Path]
) -> None:
    source = make_file(3 * CHUNK)
    journal = UploadJournal(session.base_url, FileIdentity.of(source), CHUNK)
    journal.path.mkdir(parents=True)  # a folder where the journal file should be: unlink fails
    assert chunked_upload(session, source, chunk_size=CHUNK)["checksum"] == md5_of(source)


@pytest.mark.skipif(os.name != "posix", reason="a lock owner's liveness is only checked where kill(pid, 0) is harmless")
def test_a_lock_left_by_a_dead_process_is_taken_over_and_a_live_one_is_not(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    lock = tmp_path / "journal.json.lock"
    lock.write_text(json.dumps({"pid": int(dead.stdout), "host": socket.gethostname(), "time": time.time()}))
    mine = FileLock(lock)
    assert mine.acquire(), "the owner is gone"
    assert not FileLock(lock).acquire(), "a live owner (this process) keeps it"
    mine.release()
    assert not lock.exists()


def test_a_bulk_journal_survives_a_line_torn_by_a_crash(tmp_path: Path) -> None:
    journal = BulkJournal("http://backend", "tasks", 1, folder=tmp_path)
    journal.record({"a": {"id": 1}, "b": {"doubt": True}})
    with journal.path.open("a") as handle:
        handle.write('["c", {"id"')  # the process died mid-write
    journal.record({"d": {"id": 4}})
    assert journal.load() == {"a": {"id": 1}, "b": {"doubt": True}, "d": {"id": 4}}
    journal.forget(["a", "b", "d"])
    assert not journal.path.exists()
