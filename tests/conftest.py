"""Fixtures shared by the test folders."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from synapse.testing import LocalBackend
from synapse.transport.defaults import set_default_session

SYNAPSE_ENV = ("SYNAPSE_BASE_URL", "SYNAPSE_API_TOKEN", "SYNAPSE_ACCESS_TOKEN", "SYNAPSE_AGENT_TOKEN", "SYNAPSE_TENANT")


@pytest.fixture
def backend(synapse_backend: LocalBackend) -> LocalBackend:
    """The local backend of synapse's own pytest plugin, emptied and without faults for this test."""
    return synapse_backend


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No SYNAPSE_* settings leak in from the shell, upload journals stay in tmp, no default session."""
    for name in SYNAPSE_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SYNAPSE_CACHE_DIR", str(tmp_path / "cache"))
    set_default_session(None)
    yield
    set_default_session(None)
