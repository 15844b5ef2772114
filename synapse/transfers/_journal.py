"""Where transfers keep state on disk: the cache folder and the per-file upload journal.

A chunked upload that dies (network loss, a killed process) leaves its bytes on the server.
The journal remembers which server upload belongs to which local file so the next call for
the same unchanged file continues it instead of sending everything again. It holds only the
upload id and URL, never credentials. A second journal does the same for data units, so a
re-run batch does not create them twice.
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


def cache_root() -> Path:
    """``$SYNAPSE_CACHE_DIR``, else ``$XDG_CACHE_HOME/synapse``, else ``~/.cache/synapse``."""
    explicit = os.environ.get("SYNAPSE_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "synapse"


def write_json_atomic(path: Path, payload: dict[str, Any]) -> None:
    """Write through a temporary file and ``os.replace`` so a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(payload, handle)
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
    """The saved server upload (id and URL) for one local file, one backend and one chunk size."""

    def __init__(self, base_url: str, identity: FileIdentity, chunk_size: int, folder: Path | None = None) -> None:
        self.identity = identity
        key_source = json.dumps([base_url, str(identity.path), identity.size, identity.mtime_ns, chunk_size])
        key = hashlib.sha256(key_source.encode()).hexdigest()[:40]
        self.path = (folder or cache_root() / "uploads") / f"{key}.json"
        self._base_url = base_url
        self._chunk_size = chunk_size

    def load(self) -> tuple[str | int, str] | None:
        """The saved ``(upload id, upload url)``, or None when absent or unreadable."""
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
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: threads of one process still take turns
    fcntl = None  # type: ignore[assignment]

_UNIT_LOCK = threading.Lock()


@contextlib.contextmanager
def _turn(path: Path) -> Iterator[None]:
    """Take turns on a journal file: threads through a lock, processes (dask workers, two scripts
    sharing the cache folder) through an advisory lock on ``<journal>.lock``."""
    with _UNIT_LOCK:
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


class UnitJournal:
    """Data units created by ``collection.upload_many`` calls that did not finish cleanly.

    Each entry maps an item fingerprint to the unit created for it (and the project its task
    went to), so re-running the call finds the unit instead of creating a duplicate. A call
    that ends without failures forgets its entries. One file per backend and collection.
    """

    def __init__(self, base_url: str, collection_id: int | str, folder: Path | None = None) -> None:
        key = hashlib.sha256(json.dumps([base_url, str(collection_id)]).encode()).hexdigest()[:40]
        self.path = (folder or cache_root() / "units") / f"{key}.json"

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
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        entries = data.get("units") if isinstance(data, dict) else None
        if not isinstance(entries, dict):
            return {}
        return {key: entry for key, entry in entries.items() if isinstance(entry, dict) and "unit" in entry}

    def record(self, entries: dict[str, dict[str, Any]]) -> None:
        """Merge entries in; a failed write only costs the duplicate check, so it is not fatal."""
        if not entries:
            return
        with _turn(self.path):
            merged = {**self.load(), **entries}
            with contextlib.suppress(OSError):
                write_json_atomic(self.path, {"units": merged})

    def forget(self, keys: list[str]) -> None:
        with _turn(self.path):
            entries = self.load()
            dropped = set(keys)
            remaining = {key: entry for key, entry in entries.items() if key not in dropped}
            if len(remaining) == len(entries):
                return
            with contextlib.suppress(OSError):
                if remaining:
                    write_json_atomic(self.path, {"units": remaining})
                else:
                    self.path.unlink(missing_ok=True)
