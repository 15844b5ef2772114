"""Sizes, checksums and request-log sums the transfer tests share."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from synapse.testing import LocalBackend

KIB = 1024
CHUNK = 64 * KIB


def md5_of(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def put_bytes(backend: LocalBackend) -> int:
    """File bytes the backend received through chunk PUTs (body sizes of successful PUTs)."""
    return sum(r.body_size for r in backend.requests if r.method == "PUT" and r.path.startswith("chunked_upload"))


def unreadable_supported() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() != 0
