"""Where transfers keep state on disk: the cache folder and the per-file upload journal.

A chunked upload that dies (network loss, a killed process) leaves its bytes on the server.
The journal remembers which server upload belongs to which local file so the next call for
the same unchanged file continues it instead of sending everything again. It holds only the
upload id and URL, never credentials, and belongs to whoever holds its lock file: a second
process uploading the same file meanwhile works without it instead of racing the first.
Bulk journals do the same for bulk creates (data units, tasks), so a re-run does not create
what a failed run created, or may have created, a second time.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._lock import FileLock


def cache_root() -> Path:
    """``$SYNAPSE_CACHE_DIR``, else ``$XDG_CACHE_HOME/synapse``, else ``~/.cache/synapse``."""
    explicit = os.environ.get("SYNAPSE_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "synapse"


def write_json_atomic(path: Path, payload: dict[str, Any]) -> None:
    """Write JSON through a temporary file and ``os.replace`` so a crash never leaves half a file."""
    write_text_atomic(path, json.dumps(payload))


def write_text_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@dataclass(frozen=True)
class FileIdentity:
    """What makes a local file "the same" between runs: location, size and modification time."""

    path: Path
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: Path) -> FileIdentity:
        stat = path.stat()
        return cls(path.resolve(), stat.st_size, stat.st_mtime_ns)


class UploadJournal:
    """The saved server upload (id and URL) for one local file, one backend and one chunk size.

    Every operation is a no-op until :meth:`claim` got the journal's lock, so two uploads of the
    same file never continue (and finalize) the same server upload at once.
    """

    def __init__(self, base_url: str, identity: FileIdentity, chunk_size: int, folder: Path | None = None) -> None:
        self.identity = identity
        key_source = json.dumps([base_url, str(identity.path), identity.size, identity.mtime_ns, chunk_size])
        key = hashlib.sha256(key_source.encode()).hexdigest()[:40]
        self.path = (folder or cache_root() / "uploads") / f"{key}.json"
        self._lock = FileLock(self.path.with_name(self.path.name + ".lock"))
        self._base_url = base_url
        self._chunk_size = chunk_size

    def claim(self) -> bool:
        """Own the journal for this upload; False when another upload of the file holds it."""
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
        return self._lock.acquire()

    def release(self) -> None:
        self._lock.release()

    def load(self) -> tuple[str | int, str] | None:
        """The saved ``(upload id, upload url)``, or None when absent, unreadable or not ours."""
        if not self._lock.held:
            return None
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict):
            return None
        upload_id, url = data.get("id"), data.get("url")
        if not isinstance(upload_id, (str, int)) or isinstance(upload_id, bool) or not isinstance(url, str):
            return None
        return upload_id, url

    def save(self, upload_id: str | int, url: str) -> None:
        """Record the upload; failing to write the journal only costs resumability, so it is not fatal."""
        if not self._lock.held:
            return
        payload = {
            "id": upload_id,
            "url": url,
            "base_url": self._base_url,
            "path": str(self.identity.path),
            "size": self.identity.size,
            "mtime_ns": self.identity.mtime_ns,
            "chunk_size": self._chunk_size,
        }
        with contextlib.suppress(OSError):
            write_json_atomic(self.path, payload)

    def remove(self) -> None:
        """Forget the upload. Never fails: a journal left behind only makes the next run ask the server."""
        if self._lock.held:
            with contextlib.suppress(OSError):
                self.path.unlink()


try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: threads of one process still take turns
    fcntl = None  # type: ignore[assignment]

_BULK_LOCK = threading.Lock()


@contextlib.contextmanager
def _turn(path: Path) -> Iterator[None]:
    """Take turns on a journal file: threads through a lock, processes (dask workers, two scripts
    sharing the cache folder) through an advisory lock on ``<journal>.lock``. Without it, 4
    processes recording into one journal lost 579 of 800 entries."""
    with _BULK_LOCK:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle = path.with_suffix(".lock").open("a")
        except OSError:
            yield  # no lock file, no journal either: the write below fails the same way
            return
        with handle:
            if fcntl is not None:
                fcntl.flock(handle, fcntl.LOCK_EX)
            yield


class BulkJournal:
    """What bulk creates that did not finish cleanly created, or may have created, under one parent.

    Each entry maps an item fingerprint to ``{"id": ...}`` (created, plus whatever the caller
    adds) or ``{"doubt": True}`` (the answer was lost and the look-up failed), so the next run for
    the same items looks them up instead of creating duplicates. Entries are appended as JSON
    lines, so journaling a batch costs that batch only and a torn last line (a crash mid-write)
    loses one entry, not the file; a run that ends without failures forgets its entries. One
    file per backend, kind (``units``, ``tasks``) and parent.
    """

    def __init__(self, base_url: str, kind: str, parent_id: int | str, folder: Path | None = None) -> None:
        key = hashlib.sha256(json.dumps([base_url, str(parent_id)]).encode()).hexdigest()[:40]
        self.path = (folder or cache_root() / kind) / f"{key}.jsonl"

    @staticmethod
    def fingerprints(items: list[Any]) -> list[str]:
        """A stable key per item; identical items in one call get distinct keys (#1, #2...)."""
        seen: dict[str, int] = {}
        keys: list[str] = []
        for item in items:
            digest = hashlib.sha256(json.dumps(item, sort_keys=True, default=str).encode()).hexdigest()
            seen[digest] = seen.get(digest, 0) + 1
            keys.append(f"{digest}#{seen[digest]}")
        return keys

    def load(self) -> dict[str, dict[str, Any]]:
        """The entries by fingerprint (a later line wins); empty when there is no readable journal."""
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except (OSError, ValueError):
            return {}
        entries: dict[str, dict[str, Any]] = {}
        for line in lines:
            try:
                key, entry = json.loads(line)
            except (ValueError, TypeError):
                continue
            if isinstance(key, str) and isinstance(entry, dict):
                entries[key] = entry
        return entries

    def record(self, entries: dict[str, dict[str, Any]]) -> None:
        """Append entries; a failed write only costs the duplicate check, so it is not fatal."""
        if not entries:
            return
        text = _lines(entries).encode()
        with _turn(self.path), contextlib.suppress(OSError), self.path.open("a+b") as handle:
            if handle.seek(0, os.SEEK_END):
                handle.seek(-1, os.SEEK_END)
                if handle.read(1) != b"\n":  # a line torn by a crash: start on a fresh one
                    text = b"\n" + text
            handle.write(text)

    def forget(self, keys: list[str]) -> None:
        """Drop these entries (the file goes when none is left); never fails."""
        with _turn(self.path):
            entries = self.load()
            dropped = set(keys)
            remaining = {key: entry for key, entry in entries.items() if key not in dropped}
            if len(remaining) == len(entries):
                return
            with contextlib.suppress(OSError):
                if remaining:
                    write_text_atomic(self.path, _lines(remaining))
                else:
                    self.path.unlink(missing_ok=True)


def _lines(entries: dict[str, dict[str, Any]]) -> str:
    return "".join(json.dumps([key, entry]) + "\n" for key, entry in entries.items())
