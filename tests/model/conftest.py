"""Fixtures for the object-model tests: one local backend for the run, emptied per test,
and a session entered for the test so resources find it without arguments."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from synapse.testing import LocalBackend
from synapse.transport.session import Session


@pytest.fixture(autouse=True)
def _isolated(isolated: None) -> None:
    """Every test here runs without SYNAPSE_* settings, with a private cache and no default session."""


@pytest.fixture
def session(backend: LocalBackend) -> Iterator[Session]:
    s = Session(backend.url, api_token=backend.token, backoff_factor=0.01)
    with s:
        yield s
    s.close()


@pytest.fixture
def make_file(tmp_path: Path) -> Callable[..., Path]:
    """Write a small file (text content, so no upload content check can trip on it)."""

    def make(name: str = "a.txt", content: bytes | str = b"hello", size: int | None = None) -> Path:
        path = tmp_path / "files" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode() if isinstance(content, str) else content
        if size is not None:
            data = (data * (size // max(len(data), 1) + 1))[:size]
        path.write_bytes(data)
        return path

    return make
