"""Pagination: the same raw requests get the same pages, counts and links from DRF and LocalBackend."""

from __future__ import annotations

import pytest

from tests.conformance.compare import same
from tests.conformance.dataset import TASKS
from tests.conformance.servers import Pair

SIZES = (1, 7, 50, 99, 100, 101, 250, 1000)


@pytest.mark.parametrize("size", SIZES)
def test_page_sizes_first_second_and_last_page(pair: Pair, size: int) -> None:
    status, body = same(pair, f"sdk/tasks/?page_size={size}")
    assert status == 200 and len(body["ids"]) == min(size, pair.cap)
    for page in ("2", "last"):
        assert same(pair, f"sdk/tasks/?page_size={size}&page={page}")[0] == 200


def test_no_page_size_is_the_default_even_above_the_cap(pair: Pair) -> None:
    status, body = same(pair, "sdk/tasks/")
    assert status == 200 and len(body["ids"]) == 100  # the default size is not clamped (DRF)
    same(pair, "sdk/tasks/?page=3")


def test_following_next_links_sees_every_row_once(pair: Pair) -> None:
    path: str | None = "sdk/tasks/?page_size=1000&project=2"
    seen: list[int] = []
    while path:
        body = same(pair, path.removeprefix("/api/v1/"))[1]
        seen += body["ids"]
        path = body["next"]
    assert len(seen) == len(set(seen)) == body["count"]


def test_previous_links(pair: Pair) -> None:
    assert same(pair, "projects/?page_size=1&page=2&category=image")[1]["previous"] is not None
    assert same(pair, "projects/?page_size=1&page=3&category=image")[1]["previous"] is not None
    assert same(pair, "projects/?page_size=7&page=2")[1]["previous"] == "/api/v1/projects/?page_size=7"


@pytest.mark.parametrize("page", ["999", "0", "-1", "abc", "2.0", "", " 2", "+2", "1_0", "last", "LAST", "٢"])
def test_page_values(pair100: Pair, page: str) -> None:
    same(pair100, f"projects/?page_size=3&page={page}")


@pytest.mark.parametrize("size", ["0", "-5", "abc", "", "1.5", " 7", "+7", "1_0", "99999999999999999999", "٣"])
def test_page_size_values(pair: Pair, size: str) -> None:
    same(pair, f"sdk/tasks/?page_size={size}")


def test_repeated_page_params_use_the_last_value(pair100: Pair) -> None:
    same(pair100, "projects/?page_size=5&page_size=9&page=2&page=1")


def test_empty_list_and_a_page_past_it(pair100: Pair) -> None:
    assert same(pair100, "sdk/tasks/?project=30")[1]["count"] == 0
    assert same(pair100, "sdk/tasks/?project=30&page=2")[0] == 404


@pytest.mark.parametrize(
    "query", ["foo=bar", "name__icontains=x", "meta__label=cat", "status=running", "project__gt=2", "expand=", "a"]
)
def test_unknown_params_are_ignored(pair100: Pair, query: str) -> None:
    status, body = same(pair100, f"sdk/tasks/?{query}&page_size=3&page=2")
    assert status == 200 and body["count"] == TASKS


def test_query_encoding_survives_into_the_links(pair100: Pair) -> None:
    same(pair100, "projects/?page_size=2&z=%C3%A9+x&b=1&b=2&a=&c=a%2Cb")
