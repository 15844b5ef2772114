"""Files on disk: uploaded data files, model files and partial chunked uploads.

Names on disk are always generated (random hex); a client-given file name is only kept, after
sanitising, as the cosmetic last segment of the download URL. So no path component a client sends
can ever reach the file system.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import shutil
from pathlib import Path
from typing import IO
from urllib.parse import quote

from synapse.testing.http import MEDIA_MARKER

_KEY = re.compile(r"^[0-9a-f]{32}$")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_COPY_BUFFER = 1024 * 1024


def safe_filename(name: str | None, default: str = "file") -> str:
    """The last path component of ``name`` reduced to a harmless file name."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = _UNSAFE.sub("_", base).lstrip(".")[:120]
    return base or default


def copy_hashing(source: IO[bytes], target: IO[bytes]) -> tuple[int, str]:
    """Stream ``source`` into ``target``; returns (bytes copied, md5 hex)."""
    digest = hashlib.md5()
    size = 0
    while True:
        chunk = source.read(_COPY_BUFFER)
        if not chunk:
            break
        digest.update(chunk)
        target.write(chunk)
        size += len(chunk)
    return size, digest.hexdigest()


def file_md5(path: Path) -> str:
    digest = hashlib.md5()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(_COPY_BUFFER), b""):
            digest.update(chunk)
    return digest.hexdigest()


class MediaStore:
    """A folder of stored files addressed by generated 32-hex keys."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files = root / "media"
        self.uploads = root / "uploads"
        self.files.mkdir(parents=True, exist_ok=True)
        self.uploads.mkdir(parents=True, exist_ok=True)

    @staticmethod
    def new_key() -> str:
        return secrets.token_hex(16)

    def path_for(self, key: str) -> Path | None:
        """The stored file for ``key``, or None when the key is malformed or unknown."""
        if not _KEY.match(key):
            return None
        path = self.files / key
        return path if path.is_file() else None

    def save(self, source: IO[bytes]) -> tuple[str, int, str]:
        """Store a stream; returns (key, size, md5)."""
        key = self.new_key()
        with (self.files / key).open("wb") as target:
            size, md5 = copy_hashing(source, target)
        return key, size, md5

    def adopt(self, path: Path) -> str:
        """Move a finished upload into the media folder; returns its key."""
        key = self.new_key()
        shutil.move(str(path), str(self.files / key))
        return key

    def copy(self, key: str) -> str | None:
        """A second stored file with the same bytes (e.g. a model built from an upload)."""
        source = self.path_for(key)
        if source is None:
            return None
        new_key = self.new_key()
        shutil.copyfile(source, self.files / new_key)
        return new_key

    def upload_path(self, uid: str) -> Path:
        if not _KEY.match(uid):
            raise ValueError("bad upload id")
        return self.uploads / f"{uid}.part"

    @staticmethod
    def url(key: str, filename: str) -> str:
        """The stored form of a download URL (the marker becomes ``<base>/media`` on output)."""
        return f"{MEDIA_MARKER}/{key}/{quote(safe_filename(filename))}"

    def clear(self) -> None:
        for folder in (self.files, self.uploads):
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True, exist_ok=True)
