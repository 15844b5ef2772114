"""Send one raw request to both backends and assert the answers agree."""

from __future__ import annotations

from typing import Any

from tests.conformance.servers import Pair


def summary(server_answer: Any, relative: Any) -> Any:
    """What must agree: a page as count, links (host-free) and ids in order; anything else whole."""
    if isinstance(server_answer, dict) and "results" in server_answer:
        return {
            "keys": sorted(server_answer),
            "count": server_answer["count"],
            "next": relative(server_answer["next"]),
            "previous": relative(server_answer["previous"]),
            "ids": [item["id"] for item in server_answer["results"]],
        }
    return server_answer


def same(pair: Pair, path_and_query: str, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    """GET on both; the status and the summary must be equal. Returns them (the oracle's)."""
    expected = pair.drf.get(path_and_query, headers)
    actual = pair.local.get(path_and_query, headers)
    want = summary(expected.json(), pair.drf.relative)
    got = summary(actual.json(), pair.local.relative)
    assert (actual.status_code, got) == (expected.status_code, want), f"{path_and_query}: local {got}, DRF {want}"
    return expected.status_code, want
