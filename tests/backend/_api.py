"""Plain ``requests`` against the local backend, shaped like the official client (for the backend's own tests)."""

from __future__ import annotations

from typing import Any

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
