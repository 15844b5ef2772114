"""Fixtures for the local backend's own tests: plain ``requests``, shaped like the official client."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from synapse.testing.server import LocalBackend

TOKEN = "devtoken"


class Api:
    """A requests session that talks like the official client (headers, JSON, URL joining)."""

    def __init__(self, backend: LocalBackend) -> None:
        self.backend = backend
        self.session = requests.Session()
        self.session.headers["Synapse-Access-Token"] = f"Token {backend.token}"

    def url(self, path: str) -> str:
        return path if path.startswith("http") else f"{self.backend.url}/{path.lstrip('/')}"

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 10)
        return self.session.request(method, self.url(path), **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)

    def create(self, path: str, body: Any) -> dict[str, Any]:
        response = self.post(path, json=body)
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result


@pytest.fixture(scope="session")
def shared_backend() -> Iterator[LocalBackend]:
    backend = LocalBackend(token=TOKEN, job_duration=0.2)
    with backend:
        yield backend


@pytest.fixture
def backend(shared_backend: LocalBackend) -> Iterator[LocalBackend]:
    """The shared backend, emptied, with no faults; fails the test if a handler crashed."""
    shared_backend.faults.clear()
    shared_backend.reset()
    yield shared_backend
    shared_backend.faults.clear()
    assert shared_backend.errors == []


@pytest.fixture
def api(backend: LocalBackend) -> Iterator[Api]:
    client = Api(backend)
    yield client
    client.session.close()


@pytest.fixture
def sample(backend: LocalBackend) -> dict[str, Any]:
    return backend.seed_sample(tasks=30)
