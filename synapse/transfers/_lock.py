"""Lock files: which thread or process owns an upload journal or a download's ``.part`` file.

Creating a file with ``O_CREAT | O_EXCL`` is atomic on every platform, so this works where
``fcntl`` does not and across threads of one process alike. A lock whose owner died (SIGKILL,
power loss) must not block the next run forever, so a lock is stale when its process is gone
(same host) or when it is older than :data:`STALE_AFTER`. Locks are only ever *tried*: whoever
does not get one works without the shared state (a fresh upload, a private temporary file), so
nothing waits on a lock.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import time
from pathlib import Path
from typing import Any

STALE_AFTER = 6 * 3600.0
"""Seconds after which any lock is taken for abandoned (its owner may be on another host)."""
_UNWRITTEN_GRACE = 30.0
"""A lock file still empty after this long was left by an owner that died while creating it."""


class FileLock:
    """An exclusive, non-blocking lock file; :meth:`release` only removes a lock this object holds."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._token: str | None = None

    @property
    def held(self) -> bool:
        return self._token is not None

    def acquire(self) -> bool:
        """Take the lock if it is free or stale; False when someone else holds it (or it cannot be made)."""
        if self._token is not None:
            return True
        for _ in range(2):
            token = secrets.token_hex(8)
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            except FileExistsError:
                if not self._break_if_stale():
                    return False
                continue
            except OSError:
                return False
            owner = {"pid": os.getpid(), "host": socket.gethostname(), "time": time.time(), "token": token}
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(owner, handle)
            self._token = token
            return True
        return False

    def release(self) -> None:
        """Remove the lock file if it is still ours (a lock broken as stale may belong to someone else now)."""
        token, self._token = self._token, None
        if token is not None and _read(self.path).get("token") == token:
            with contextlib.suppress(OSError):
                self.path.unlink()

    def _break_if_stale(self) -> bool:
        owner = _read(self.path)
        try:
            age = time.time() - self.path.stat().st_mtime
        except FileNotFoundError:
            return True
        except OSError:
            return False
        if not _stale(owner, age):
            return False
        # Rename before deleting: of two processes breaking the same lock, only one rename succeeds.
        grave = self.path.with_name(f"{self.path.name}.{secrets.token_hex(4)}.stale")
        try:
            os.replace(self.path, grave)
        except OSError:
            return False
        if _read(grave).get("token") != owner.get("token"):
            # Someone took the lock between our look and the rename: hand theirs back, stay out.
            with contextlib.suppress(OSError):
                os.link(grave, self.path)
            with contextlib.suppress(OSError):
                grave.unlink()
            return False
        with contextlib.suppress(OSError):
            grave.unlink()
        return True


def _stale(owner: dict[str, Any], age: float) -> bool:
    if not owner:
        return age > _UNWRITTEN_GRACE
    if age > STALE_AFTER:
        return True
    pid = owner.get("pid")
    if owner.get("host") != socket.gethostname() or not isinstance(pid, int) or os.name != "posix":
        return False  # only a process on this host can be checked (and only where kill(pid, 0) is harmless)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
