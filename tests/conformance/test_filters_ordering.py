"""Declared filters and ordering: the same raw requests get the same answers from DRF and LocalBackend."""

from __future__ import annotations

import pytest

from tests.conformance.compare import same
from tests.conformance.servers import Pair

VALID = {
    "projects/": [
        "category=video",
        "category=time_series",
        "data_collection=2",
        "data_collection=",
        "category=text&data_collection=3",
    ],
    "sdk/tasks/": [
        "project=2",
        "data_unit=17",
        "project=3&data_unit=4",
        "has_data=true",
        "has_data=False",
        "has_data=1",
        "is_discarded=0",
        "is_discarded=TRUE",
        "project=",
        "project=1&project=4",
        "project=+2",
        "project=%202",
    ],
    "data_collections/": ["category=pcd", "category=data", "category="],
    "data_units/": ["data_collection=1", "data_collection=3"],
}

INVALID = {
    "projects/": [
        "category=nope",
        "category=IMAGE",
        "data_collection=99",
        "data_collection=x",
        "category=nope&data_collection=0",
    ],
    "sdk/tasks/": [
        "project=999",
        "project=abc",
        "project=1.0",
        "data_unit=-1",
        "project=x&data_unit=y",
        "project=2&project=x",
        "project=1%00",
    ],
    "data_collections/": ["category=prompt", "category=image%00"],
    "data_units/": ["data_collection=7"],
}

IGNORED_BOOLEANS = ["has_data=maybe", "has_data=yes", "is_discarded=2", "is_discarded=on", "has_data=t"]


def _cases(table: dict[str, list[str]]) -> list[tuple[str, str]]:
    return [(path, query) for path, queries in table.items() for query in queries]


@pytest.mark.parametrize(("path", "query"), _cases(VALID))
def test_valid_filter_values(pair100: Pair, path: str, query: str) -> None:
    assert same(pair100, f"{path}?{query}&page_size=20")[0] == 200


@pytest.mark.parametrize(("path", "query"), _cases(INVALID))
def test_invalid_filter_values_are_400_with_django_filter_messages(pair100: Pair, path: str, query: str) -> None:
    assert same(pair100, f"{path}?{query}")[0] == 400


@pytest.mark.parametrize("query", IGNORED_BOOLEANS)
def test_invalid_booleans_do_not_filter(pair100: Pair, query: str) -> None:
    status, body = same(pair100, f"sdk/tasks/?{query}&page_size=3")
    assert status == 200 and body["count"] == 1234


def test_a_bad_filter_wins_over_a_bad_page(pair100: Pair) -> None:
    assert same(pair100, "sdk/tasks/?project=abc&page=abc&page_size=x")[0] == 400


ORDERINGS = {
    "projects/": [
        "title",
        "-title",
        "-created",
        "category,-title",
        "bogus",
        "-title,bogus",
        "bogus,-id",
        "meta__label",
        "+title",
        " -title",
        "-",
        "",
        "title,title",
        "data_collection__name",
    ],
    "sdk/tasks/": ["-id", "project", "-project", "created", "-has_data,-id", "project,-created", "status,-id"],
    "data_collections/": ["name", "-category", "nope"],
    "data_units/": ["-data_collection", "created"],
}


@pytest.mark.parametrize(("path", "ordering"), _cases(ORDERINGS))
def test_ordering(pair100: Pair, path: str, ordering: str) -> None:
    assert same(pair100, f"{path}?ordering={ordering}&page_size=4&page=2")[0] == 200


def test_repeated_ordering_uses_the_last(pair100: Pair) -> None:
    same(pair100, "projects/?ordering=-title&ordering=created&page_size=30")


def test_ordering_survives_next_links_under_every_cap(pair: Pair) -> None:
    body = same(pair, "sdk/tasks/?ordering=-created&page_size=1000&is_discarded=false")[1]
    assert same(pair, body["next"].removeprefix("/api/v1/"))[1]["count"] == body["count"]
