"""Fixtures: one local backend for the transfer tests, emptied before each test; a private cache."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from synapse.testing import LocalBackend
from synapse.transport.session import Session


@pytest.fixture
def session(backend: LocalBackend) -> Iterator[Session]:
    with Session(backend.url, api_token=backend.token, backoff_factor=0.01) as s:
        yield s
        s.close()


@pytest.fixture(autouse=True)
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("SYNAPSE_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def make_file(tmp_path: Path) -> Callable[..., Path]:
    """Write a file of ``size`` pseudo-random (but reproducible) bytes."""

    def make(size: int, name: str = "data.bin", seed: int = 0) -> Path:
        path = tmp_path / "src" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            block = hashlib.sha512(f"{seed}".encode()).digest() * 1024
            written = 0
            while written < size:
                piece = block[: min(len(block), size - written)]
                handle.write(piece)
                written += len(piece)
                block = hashlib.sha512(block[:64]).digest() * 1024
        return path

    return make
