"""Listings are never silently wrong: every failure the DRF investigation found, as a test.

Against a LocalBackend that caps pages like DRF (``max_page_size``, ``next`` keeping the requested
``page_size``), and against hand-written servers for the answers no real backend should give.
"""

from __future__ import annotations

import json
import pickle
import warnings
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from synapse import (
    Assignment,
    BackendClient,
    IncompleteListingError,
    InvalidInputError,
    ListingChangedWarning,
    Project,
    ResponseError,
    Task,
)
from synapse.testing import LocalBackend
from synapse.transport.session import Session

from ._common import FAST, TOKEN
from .hostile_server import HostileServer, Reply, Request

TASKS = 1000


@pytest.fixture(scope="module")
def capped() -> Iterator[LocalBackend]:
    """A DRF-like backend with ``max_page_size=100`` and 1,000 tasks in one project (plus 7 elsewhere)."""
    with LocalBackend(token=TOKEN, max_page_size=100) as backend:
        (project, other) = backend.seed("projects", [{"title": "p"}, {"title": "other"}])
        backend.seed("tasks", [{"project": project, "data": {"i": i}} for i in range(TASKS)])
        backend.seed("tasks", [{"project": other} for _ in range(7)])
        yield backend


@pytest.fixture
def session(capped: LocalBackend) -> Iterator[Session]:
    with Session(capped.url, api_token=TOKEN, **FAST) as s:
        yield s


def project_ids(session: Session) -> list[int]:
    return [row["id"] for row in Task.using(session).filter(project=1).values()]


@pytest.mark.parametrize("size", [250, 1000])
def test_a_page_size_above_the_cap_still_yields_every_task(session: Session, size: int) -> None:
    ids = [task.id for task in Task.using(session).filter(project=1).page_size(size)]
    assert len(ids) == len(set(ids)) == TASKS


def test_list_all_above_the_cap_yields_every_task_and_the_count(session: Session) -> None:
    client = BackendClient.from_session(session)
    items, count = client.list_tasks(params={"project": 1, "page_size": 250}, list_all=True)
    assert count == TASKS
    assert len({item["id"] for item in items}) == TASKS


@pytest.mark.parametrize(
    ("size", "start", "stop"), [(None, 150, 400), (None, 150, None), (250, 300, 350), (None, 990, 1005)]
)
def test_slices_above_the_cap_are_exact(session: Session, size: int | None, start: int, stop: int | None) -> None:
    everything = project_ids(session)
    query = Task.using(session).filter(project=1).order_by("id")
    if size is not None:
        query = query.page_size(size)
    assert [task.id for task in query[start:stop]] == everything[start:stop]


def test_a_slice_inside_one_server_page_is_one_request_whatever_the_cap(session: Session) -> None:
    query = Task.using(session).filter(project=1).order_by("id")
    query[0:1]  # the first slice learns nothing it does not need
    with session.expect_requests(1):
        assert len(query[110:150]) == 40


def test_a_typo_in_a_filter_raises_instead_of_counting_every_task(session: Session) -> None:
    with session.no_requests(), pytest.raises(InvalidInputError, match="did you mean project"):
        Task.using(session).filter(projcet=1).count()


@pytest.mark.parametrize("value", [None, Project(title="new")], ids=["None", "unsaved"])
def test_a_filter_the_backend_would_drop_raises(session: Session, value: Any) -> None:
    with session.no_requests(), pytest.raises(InvalidInputError):
        Task.using(session).filter(project=value)


def test_an_empty_in_list_is_an_empty_queryset_that_sends_nothing(session: Session) -> None:
    with session.no_requests():
        query = Assignment.using(session).filter(id__in=[])
        assert list(query) == [] and query.count() == 0 and not query


def test_in_bulk_beyond_the_cap_finds_every_id(session: Session) -> None:
    wanted = project_ids(session)[:150]
    found = Task.using(session).in_bulk(wanted)
    assert sorted(found) == sorted(wanted)


def test_in_costs_at_most_the_pages_up_to_the_match(session: Session) -> None:
    query = Task.using(session).filter(project=1).order_by("id").page_size(100)
    second_page = query[150]
    with session.expect_requests(2):
        assert second_page in query


def test_len_then_iteration_is_fresh_and_querysets_pickle_without_a_session(
    capped: LocalBackend, session: Session
) -> None:
    query = Task.using(session).filter(project=1).page_size(100)
    assert len(query) == TASKS
    (extra,) = capped.seed("tasks", [{"project": 1}])
    try:
        assert sum(1 for _ in query) == TASKS + 1  # nothing stale is replayed
    finally:
        capped.store.delete("tasks", extra)
    clone = pickle.loads(pickle.dumps(query))
    assert clone.bound is None and clone.describe() == query.describe()
    assert TOKEN.encode() not in pickle.dumps(query)


def test_get_refuses_an_answer_for_another_id(hostile: Callable[[Callable[[Request], Reply]], HostileServer]) -> None:
    server = hostile(lambda request: Reply(body=json.dumps({"id": 2, "title": "other"}).encode()))
    with Session(server.url, api_token=TOKEN, **FAST) as s, pytest.raises(ResponseError, match="answered id 2"):
        Project.get(1, session=s)


def test_a_sparse_get_knows_it_is_partial_and_never_creates(capped: LocalBackend, session: Session) -> None:
    project = Project.get(1, session=session, fields="title")
    assert project.id == 1 and project.title == "p"
    with pytest.raises(InvalidInputError, match="description"):
        project.description  # noqa: B018
    project.title = "renamed"
    project.save()
    assert capped.count("projects") == 2 and capped.requests[-1].method == "PATCH"


# -- servers that page in ways DRF never does --------------------------------------------


def paged(count: int, per_page: int, next_of: Callable[[Request, int], str | None]) -> Callable[[Request], Reply]:
    """A server listing ``count`` tasks, ``per_page`` per page, with ``next`` spelled by ``next_of``."""

    def handle(request: Request) -> Reply:
        query = parse_qs(urlsplit(request.path).query)
        number = int(query.get("page", ["1"])[0])
        first = (number - 1) * per_page + 1
        results = [{"id": i} for i in range(first, min(first + per_page, count + 1))]
        more = first + per_page <= count
        body = {"count": count, "next": next_of(request, number + 1) if more else None, "results": results}
        return Reply(body=json.dumps(body).encode(), headers={"Content-Type": "application/json"})

    return handle


def walk(server: HostileServer, **options: Any) -> list[int | None]:
    with Session(server.url + "/api/v1", api_token=TOKEN, **FAST) as s:
        return [task.id for task in Task.using(s).page_size(10).prefetch(options.get("prefetch", 4))]


@pytest.mark.parametrize("prefetch", [1, 4])
@pytest.mark.parametrize(
    "spelling",
    ["/api/v1/sdk/tasks/?page={n}&page_size=10", "?page={n}&page_size=10", "../tasks/?page={n}&page_size=10"],
    ids=["root-relative", "query-only", "relative"],
)
def test_relative_next_links_resolve_against_their_page(
    hostile: Callable[..., HostileServer], spelling: str, prefetch: int
) -> None:
    server = hostile(paged(35, 10, lambda request, n: spelling.format(n=n)))
    assert walk(server, prefetch=prefetch) == list(range(1, 36))


def test_a_page_that_vanishes_mid_walk_is_an_error(hostile: Callable[..., HostileServer]) -> None:
    listing = paged(50, 10, lambda request, n: f"/api/v1/sdk/tasks/?page={n}&page_size=10")

    def handle(request: Request) -> Reply:
        if "page=3" in request.path:
            return Reply(status=404, body=b'{"detail": "Invalid page."}', headers={"Content-Type": "application/json"})
        return listing(request)

    with pytest.raises(IncompleteListingError) as caught:
        walk(hostile(handle))
    assert (caught.value.expected, caught.value.got) == (50, 20)


def test_a_cursor_that_never_repeats_stops_past_the_count(hostile: Callable[..., HostileServer]) -> None:
    counter = iter(range(10**6))

    def handle(request: Request) -> Reply:
        body = {"count": 3, "next": f"/api/v1/sdk/tasks/?cursor={next(counter)}", "results": [{"id": 1}]}
        return Reply(body=json.dumps(body).encode(), headers={"Content-Type": "application/json"})

    server = hostile(handle)
    with pytest.raises(ResponseError, match="past its count"):
        walk(server)
    assert len(server.requests) < 150


@pytest.mark.parametrize("scheme", ["HTTP", "Http"])
def test_a_next_on_another_host_is_refused_whatever_its_case(
    hostile: Callable[..., HostileServer], scheme: str
) -> None:
    other = hostile(paged(5, 10, lambda request, n: None))
    server = hostile(paged(20, 10, lambda request, n: f"{scheme}://localhost:{other.url.rsplit(':', 1)[1]}/x?page={n}"))
    with pytest.raises(ResponseError, match="another host"):
        walk(server)
    assert other.requests == []


def test_the_default_port_is_the_same_origin() -> None:
    from synapse.orm.pagination import same_origin

    assert same_origin("HTTPS://Example.com:443/a", "https://example.com/b")
    assert not same_origin("https://example.com:8443/a", "https://example.com/b")


def test_a_count_that_changes_mid_walk_warns_or_raises_when_strict(hostile: Callable[..., HostileServer]) -> None:
    def handle(request: Request) -> Reply:
        number = int(parse_qs(urlsplit(request.path).query).get("page", ["1"])[0])
        count = 30 if number == 1 else 31  # a row was added after page 1 was read
        results = [{"id": i} for i in range((number - 1) * 10 + 1, min(number * 10, count) + 1)]
        following = f"/api/v1/sdk/tasks/?page={number + 1}&page_size=10" if number * 10 < count else None
        return Reply(body=json.dumps({"count": count, "next": following, "results": results}).encode())

    server = hostile(handle)
    with pytest.warns(ListingChangedWarning):
        assert len(walk(server)) == 31
    with Session(server.url + "/api/v1", api_token=TOKEN, **FAST) as s, warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(IncompleteListingError):
            list(Task.using(s).page_size(10).strict())
