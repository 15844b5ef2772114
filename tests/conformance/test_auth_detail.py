"""Authentication and detail routes answer alike."""

from __future__ import annotations

import pytest

from tests.conformance.compare import same
from tests.conformance.servers import TOKEN, Pair


def test_missing_and_wrong_tokens(pair100: Pair) -> None:
    assert same(pair100, "projects/", headers={})[0] == 401
    assert same(pair100, "projects/", headers={"Synapse-Access-Token": "Token wrong"})[0] == 401
    assert same(pair100, "projects/", headers={"Authorization": f"Token {TOKEN}"})[0] == 200


def test_task_detail(pair100: Pair) -> None:
    # Only the id is compared: the local rows carry v1 fields (modified, ...) the oracle's model lacks.
    expected, actual = pair100.drf.get("tasks/5/"), pair100.local.get("tasks/5/")
    assert (actual.status_code, actual.json()["id"]) == (expected.status_code, expected.json()["id"]) == (200, 5)


@pytest.mark.parametrize("ref", ["99999", "abc", "0"])
def test_task_detail_not_found(pair100: Pair, ref: str) -> None:
    # Difference: DRF >= 3.15 words a missing row "No <Model> matches the given query." (older DRF, and
    # a non-numeric id, say "Not found."); LocalBackend always says "Not found.", so only the status
    # and the body's shape are compared.
    expected, actual = pair100.drf.get(f"tasks/{ref}/"), pair100.local.get(f"tasks/{ref}/")
    assert actual.status_code == expected.status_code == 404
    assert list(actual.json()) == list(expected.json()) == ["detail"]
