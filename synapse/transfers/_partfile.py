"""Where a download's bytes wait before they become the target file, and when they may be continued.

``<name>.part`` is continued only by the call that holds ``<name>.part.lock`` and only when the
sidecar ``<name>.part.json`` says it holds the same URL (without its query: presigned signatures
change, the object does not) at the same version (ETag or Last-Modified, sent back as
``If-Range`` so the server itself refuses to continue a changed object). A call that cannot
get the lock downloads into a private temporary file instead, so two downloads of one name
never write into the same file. The sidecar holds no credentials.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ..errors import InvalidInputError
from ._files import HASH_BLOCK, file_md5
from ._journal import write_json_atomic
from ._lock import FileLock

__all__ = ["PartFile", "publish"]


class PartFile:
    """The file one download call writes into, its version, and whether it may resume."""

    def __init__(self, target: Path, url: str, *, resume: bool) -> None:
        self._target = target
        self._source = _without_query(url)
        self._lock = FileLock(target.with_name(target.name + ".part.lock"))
        self.shared = self._lock.acquire()
        if self.shared:
            self.path = target.with_name(target.name + ".part")
            self._sidecar: Path | None = target.with_name(target.name + ".part.json")
        else:
            self.path = target.with_name(f".{target.name[:40]}.{secrets.token_hex(6)}.tmp")
            self._sidecar = None
        saved = self._load() if resume else None
        self.validator: str | None = saved.get("validator") if saved else None
        self.total: int | None = saved.get("total") if saved else None
        if not self.validator:
            self.restart()

    def have(self) -> int:
        """Bytes already on disk for this URL and version (0 when none may be continued)."""
        if not self.validator:
            return 0
        try:
            return self.path.stat().st_size
        except FileNotFoundError:
            return 0

    def restart(self) -> None:
        """Drop the bytes and the version: the next request starts from byte 0."""
        self.validator = self.total = None
        for path in (self.path, self._sidecar):
            if path is not None:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()

    def remember(self, validator: str | None, total: int | None) -> None:
        """Note the version of the bytes being written; without a validator they cannot be continued later."""
        self.validator, self.total = validator, total
        if self._sidecar is not None and validator:
            with contextlib.suppress(OSError):
                write_json_atomic(self._sidecar, {"url": self._source, "validator": validator, "total": total})

    def md5_so_far(self) -> Any:
        """An MD5 object over the bytes on disk, to continue while the rest arrives."""
        digest = hashlib.md5()
        if self.have():
            with self.path.open("rb") as handle:
                for block in iter(lambda: handle.read(HASH_BLOCK), b""):
                    digest.update(block)
        return digest

    def close(self, *, keep: bool) -> None:
        """Release the part file; ``keep`` leaves its bytes for a later call to continue."""
        if not keep or not self.shared:
            for path in (self.path, self._sidecar):
                if path is not None:
                    with contextlib.suppress(OSError):
                        path.unlink()
        self._lock.release()

    def _load(self) -> dict[str, Any] | None:
        if self._sidecar is None:
            return None
        try:
            saved = json.loads(self._sidecar.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(saved, dict) or saved.get("url") != self._source:
            return None
        validator, total = saved.get("validator"), saved.get("total")
        if not isinstance(validator, str) or not (total is None or isinstance(total, int)):
            return None
        return {"validator": validator, "total": total}


def publish(source: Path, target: Path, md5: str, *, overwrite: bool) -> None:
    """Move the finished download into place; without ``overwrite`` a file that appeared meanwhile
    is kept when it holds the same bytes and refused otherwise."""
    if overwrite:
        os.replace(source, target)
        return
    try:
        os.link(source, target)  # fails if the target exists: no window for a silent overwrite
    except FileExistsError:
        if file_md5(target) != md5:
            raise InvalidInputError(
                None, f"{target} appeared meanwhile with other content; pass overwrite=True to replace it"
            ) from None
    except OSError:  # no hard links on this file system
        if target.exists() and file_md5(target) != md5:
            raise InvalidInputError(None, f"{target} exists with other content; pass overwrite=True") from None
        os.replace(source, target)
        return
    with contextlib.suppress(OSError):
        source.unlink()


def _without_query(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(query="", fragment=""))
