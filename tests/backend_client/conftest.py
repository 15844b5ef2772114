"""Fixtures: one local backend per test session, emptied before every test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from synapse import BackendClient
from synapse.testing import LocalBackend


@pytest.fixture(autouse=True)
def _cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep upload journals and downloaded media out of the user's cache."""
    monkeypatch.setenv("SYNAPSE_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture
def client(backend: LocalBackend) -> Iterator[BackendClient]:
    with BackendClient(backend.url, api_token=backend.token, max_retries=1, backoff_factor=0.001) as c:
        yield c
