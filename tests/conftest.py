"""Fixtures shared by the test folders that need nothing special from the server."""

from __future__ import annotations

import pytest

from synapse.testing import LocalBackend


@pytest.fixture
def backend(synapse_backend: LocalBackend) -> LocalBackend:
    """The local backend of synapse's own pytest plugin, emptied and without faults for this test."""
    return synapse_backend
