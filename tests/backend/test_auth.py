"""Token auth: both header forms, with or without the ``Token`` prefix; 401 otherwise."""

from __future__ import annotations

import pytest
import requests

from synapse.testing.server import LocalBackend


@pytest.mark.parametrize(
    "headers",
    [
        {"Synapse-Access-Token": "Token devtoken"},
        {"Synapse-Access-Token": "devtoken"},
        {"synapse-access-token": "token devtoken"},
        {"Authorization": "Token devtoken"},
        {"Authorization": "devtoken"},
        {"Authorization": "TOKEN devtoken", "Synapse-Tenant": "Token tenant"},
    ],
)
def test_accepted_forms(backend: LocalBackend, headers: dict[str, str]) -> None:
    assert requests.get(backend.url + "/projects/", headers=headers, timeout=5).status_code == 200


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "Authentication credentials were not provided."),
        ({"Synapse-Access-Token": "Token wrong"}, "Invalid token."),
        ({"Authorization": "Token "}, "Authentication credentials were not provided."),
        ({"SYNAPSE-Agent": "Token devtoken"}, "Authentication credentials were not provided."),
    ],
)
def test_rejected(backend: LocalBackend, headers: dict[str, str], message: str) -> None:
    response = requests.post(backend.url + "/projects/", json={"name": "x"}, headers=headers, timeout=5)
    assert response.status_code == 401 and response.json() == {"detail": message}
    assert backend.count("projects") == 0


def test_recorded_headers_are_case_insensitive(backend: LocalBackend) -> None:
    requests.get(backend.url + "/projects/?a=1&a=2", headers={"Synapse-Access-Token": "Token devtoken"}, timeout=5)
    record = backend.requests[-1]
    assert record.headers["synapse-access-token"] == "Token devtoken"
    assert record.query == {"a": ["1", "2"]} and record.path == "projects/" and record.status == 200
    assert backend.request_count == 1
    backend.clear_log()
    assert backend.request_count == 0
