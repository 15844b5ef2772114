"""The client against a real DRF application and against LocalBackend, with page caps of 50, 100 and 1000.

Every listing, slice, count, filter, ``get`` and ``save`` must give the rows the dataset holds,
whatever page size is asked for and whatever cap the server applies; the same checks run against
the local backend so it cannot drift from what DRF does.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from synapse import BackendClient, DataUnit, InvalidInputError, Project, Session, Task
from synapse.testing import LocalBackend
from tests.conformance.dataset import rows
from tests.conformance.servers import CAPS, TOKEN, Server

SIZES = (7, 50, 99, 100, 101, 250, 1000)
DATA = rows()
TASK_IDS = [row["id"] for row in DATA["tasks"]]


@pytest.fixture(params=[(kind, cap) for kind in ("drf", "local") for cap in CAPS], ids=lambda p: f"{p[0]}-cap{p[1]}")
def served(
    request: pytest.FixtureRequest, oracles: dict[int, Server], local_backends: dict[int, LocalBackend]
) -> Iterator[Session]:
    kind, cap = request.param
    url = oracles[cap].url if kind == "drf" else local_backends[cap].url
    with Session(url, api_token=TOKEN, max_retries=0) as session:
        yield session
    session.close()


def _ids(items: Any) -> list[int]:
    return [item.id for item in items]


@pytest.mark.parametrize("size", SIZES)
def test_a_walk_yields_every_task_once_whatever_the_cap(served: Session, size: int) -> None:
    got = [task.id for task in Task.using(served).page_size(size).prefetch(3)]
    assert got == TASK_IDS


def test_one_item_pages_walk_a_project_exactly(served: Session) -> None:
    expected = [row["id"] for row in DATA["tasks"] if row["project"] == 3]
    assert [task.id for task in Task.using(served).filter(project=3).page_size(1)] == expected


def test_a_sequential_walk_and_values_agree(served: Session) -> None:
    objects = [task.id for task in Task.using(served).page_size(250).prefetch(1)]
    values = [row["id"] for row in Task.using(served).page_size(250).values()]
    assert objects == values == TASK_IDS


@pytest.mark.parametrize(("start", "stop"), [(0, 1), (150, 400), (150, None), (999, 1001), (1200, 1300), (5000, 5010)])
@pytest.mark.parametrize("size", [None, 250])
def test_slices_are_exact(served: Session, start: int, stop: int | None, size: int | None) -> None:
    query = Task.using(served).order_by("id")
    if size is not None:
        query = query.page_size(size)
    assert _ids(query[start:stop]) == TASK_IDS[start:stop]


def test_count_first_last_and_index(served: Session) -> None:
    query = Task.using(served).order_by("id")
    assert query.count() == len(query) == len(TASK_IDS)
    first, last = query.first(), query.last()
    assert first is not None and last is not None
    assert (first.id, last.id, query[617].id) == (TASK_IDS[0], TASK_IDS[-1], TASK_IDS[617])


@pytest.mark.parametrize(
    "filters",
    [{"project": 3}, {"project": 2, "has_data": True}, {"is_discarded": True}, {"data_unit": 17}, {"has_data": False}],
)
def test_filters_select_exactly_the_matching_tasks(served: Session, filters: dict[str, Any]) -> None:
    expected = [row["id"] for row in DATA["tasks"] if all(row[key] == value for key, value in filters.items())]
    query = Task.using(served).filter(**filters).page_size(100)
    assert [task.id for task in query] == expected
    assert query.count() == len(expected)


def test_foreign_keys_filter_by_object_or_either_spelling(served: Session) -> None:
    project = Project.get(2, session=served)
    by_object = [task.id for task in Task.using(served).filter(project=project)]
    by_attribute = [task.id for task in Task.using(served).filter(project_id=2)]
    assert by_object == by_attribute == [row["id"] for row in DATA["tasks"] if row["project"] == 2]


def test_a_typo_or_a_dropped_filter_is_refused_before_it_can_match_everything(served: Session) -> None:
    before = served.request_count
    for bad in ({"projcet": 2}, {"project": None}, {"project": Project(title="unsaved")}, {"has_data": "yes"}):
        with pytest.raises(InvalidInputError):
            Task.using(served).filter(**bad)
    assert served.request_count == before


def test_get_and_get_by_lookups(served: Session) -> None:
    task = Task.get(TASK_IDS[10], session=served)
    assert task.id == TASK_IDS[10]
    unit = DataUnit.get(17, session=served)
    matches = [row["id"] for row in DATA["tasks"] if row["data_unit"] == 17]
    assert unit.id == 17 and len(matches) >= 1
    with pytest.raises(Task.DoesNotExist):
        Task.get(10**9, session=served)


def test_save_sends_only_the_change_and_reads_it_back(served: Session) -> None:
    project = Project.get(5, session=served)
    original = project.title
    try:
        project.title = "renamed by the conformance test"
        with served.expect_requests(1):
            project.save()
        assert Project.get(5, session=served, refresh=True).title == "renamed by the conformance test"
    finally:
        project.title = original
        project.save()


@pytest.mark.parametrize("size", [100, 250, 1000])
def test_the_facade_lists_everything_with_the_count(served: Session, size: int) -> None:
    client = BackendClient.from_session(served)
    items, count = client.list_tasks(params={"page_size": size}, list_all=True)
    assert count == len(TASK_IDS)
    assert [item["id"] for item in items] == TASK_IDS


def test_in_bulk_finds_every_id_whatever_the_cap(served: Session) -> None:
    wanted = TASK_IDS[::11][:120]
    found = Task.using(served).in_bulk(wanted)
    assert sorted(found) == sorted(wanted)
