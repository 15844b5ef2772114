"""Local-file helpers shared by the transfer code: input checks, hashing and chunk bodies.

Checks run before any request so a typo in a path fails fast with a synapse error instead of
a half-finished batch or a raw ``OSError`` from deep inside a worker thread.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from ..errors import InvalidInputError

HASH_BLOCK = 1024 * 1024
EMPTY_MD5 = hashlib.md5(b"").hexdigest()


def check_file(path: Any) -> Path:
    """The absolute path of a readable regular file, or :class:`InvalidInputError` saying what is wrong."""
    if isinstance(path, bool) or not isinstance(path, (str, os.PathLike)):
        raise InvalidInputError(None, f"expected a file path (str or Path), got {type(path).__name__}")
    candidate = Path(path).expanduser()
    try:
        info = candidate.stat()
    except FileNotFoundError:
        raise InvalidInputError(None, f"no such file: {candidate}") from None
    except OSError as exc:
        raise InvalidInputError(None, f"cannot access {candidate}: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise InvalidInputError(None, f"{candidate} is a directory; pass the files inside it")
    if not stat.S_ISREG(info.st_mode):
        raise InvalidInputError(None, f"{candidate} is not a regular file")
    try:
        with candidate.open("rb"):
            pass
    except OSError as exc:
        raise InvalidInputError(None, f"cannot read {candidate}: {exc.strerror or exc}") from None
    return candidate.resolve()


def wire_name(path: Path) -> str:
    """The file name to send: a name the OS gave as undecodable bytes becomes valid UTF-8 (with U+FFFD)
    instead of failing deep inside the HTTP library; the server keeps it only for display."""
    return os.fsencode(path.name).decode("utf-8", "replace")


def check_positive_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InvalidInputError(None, f"{name} must be a positive integer, got {value!r}")
    return value


def file_md5(path: str | os.PathLike[str], *, chunk_size: int = HASH_BLOCK) -> str:
    """MD5 hex digest of a file, read in blocks so memory stays flat."""
    source = check_file(path)
    check_positive_int(chunk_size, "chunk_size")
    digest = hashlib.md5()
    with source.open("rb") as handle:
        for block in iter(lambda: handle.read(chunk_size), b""):
            digest.update(block)
    return digest.hexdigest()


class HashingReader:
    """A file opened for a one-shot multipart upload that hashes what is read.

    ``seek(0)`` (used by the session before a retry) restarts the hash, so the digest always
    matches exactly the bytes of the last attempt.
    """

    def __init__(self, path: Path) -> None:
        self._handle: IO[bytes] = path.open("rb")
        self._md5 = hashlib.md5()

    def read(self, size: int = -1) -> bytes:
        data = self._handle.read(size)
        self._md5.update(data)
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        if (offset, whence) != (0, 0):
            raise InvalidInputError(None, "HashingReader can only rewind to the start")
        self._md5 = hashlib.md5()
        return self._handle.seek(0)

    def hexdigest(self) -> str:
        return self._md5.hexdigest()

    def close(self) -> None:
        self._handle.close()

    def __enter__(self) -> HashingReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ChunkBody:
    """The multipart body of one chunk PUT, streamed straight from the chunk buffer.

    Parts follow the official client: the text field ``filename`` first, then the part ``file``
    whose filename is ``"file"``, no per-part Content-Type. Iterating yields memoryview slices,
    so the chunk is never copied into a second buffer, and each iteration starts over, so a
    retried request resends the whole body.
    """

    _SLICE = 1024 * 1024

    def __init__(self, filename: str, chunk: bytes) -> None:
        boundary = secrets.token_hex(16)
        self.content_type = f"multipart/form-data; boundary={boundary}"
        mark = boundary.encode()
        self._head = b"".join(
            (
                b"--",
                mark,
                b'\r\nContent-Disposition: form-data; name="filename"\r\n\r\n',
                filename.encode("utf-8"),
                b"\r\n",
                b"--",
                mark,
                b'\r\nContent-Disposition: form-data; name="file"; filename="file"\r\n\r\n',
            )
        )
        self._tail = b"\r\n--" + mark + b"--\r\n"
        self._chunk = chunk

    def __len__(self) -> int:
        return len(self._head) + len(self._chunk) + len(self._tail)

    def __iter__(self) -> Iterator[bytes | memoryview]:
        yield self._head
        view = memoryview(self._chunk)
        for start in range(0, len(view), self._SLICE):
            yield view[start : start + self._SLICE]
        yield self._tail
