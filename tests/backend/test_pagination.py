"""DRF page envelope: every item once, absolute next/previous that keep the other params."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from synapse.testing.server import LocalBackend
from tests.backend.conftest import Api


def test_walks_1050_items_exactly_once(api: Api, backend: LocalBackend) -> None:
    backend.seed("projects", [{"name": "p"}])
    backend.seed("tasks", [{"project": 1, "data": {"i": i}} for i in range(1050)])
    seen: list[int] = []
    url: str | None = api.url("sdk/tasks/") + "?project=1&url_host=internal&page_size=100"
    pages = 0
    while url:
        body = api.get(url).json()
        assert body["count"] == 1050
        seen += [task["id"] for task in body["results"]]
        pages += 1
        if body["next"]:
            query = parse_qs(urlsplit(body["next"]).query)
            assert body["next"].startswith(backend.url + "/sdk/tasks/?")
            assert query["project"] == ["1"] and query["url_host"] == ["internal"]
            assert query["page_size"] == ["100"] and query["page"] == [str(pages + 1)]
        url = body["next"]
    assert pages == 11 and len(seen) == 1050 and len(set(seen)) == 1050


def test_previous_and_page_past_end(api: Api, backend: LocalBackend) -> None:
    backend.seed("projects", [{"name": f"p{i}"} for i in range(25)])
    page2 = api.get("projects/", params={"page": 2, "page_size": 10, "name__icontains": "p"}).json()
    assert page2["previous"].startswith(backend.url + "/projects/?")
    assert "name__icontains=p" in page2["previous"] and "page=1" in page2["previous"]
    last = api.get("projects/", params={"page": 3, "page_size": 10}).json()
    assert last["next"] is None and len(last["results"]) == 5
    past = api.get("projects/", params={"page": 4, "page_size": 10})
    assert past.status_code == 404 and past.json() == {"detail": "Invalid page."}


def test_empty_list_first_page_is_200(api: Api) -> None:
    body = api.get("sdk/tasks/").json()
    assert body == {"count": 0, "next": None, "previous": None, "results": []}


def test_default_and_clamped_page_size(api: Api, backend: LocalBackend) -> None:
    backend.seed("data_units", [{"files": {}, "meta": {}} for _ in range(1200)])
    assert len(api.get("data_units/").json()["results"]) == 100
    huge = api.get("data_units/", params={"page_size": 10**9}).json()
    assert len(huge["results"]) == 1000 and "page_size=1000" in huge["next"]


def test_bad_page_params_are_4xx(api: Api) -> None:
    for params in ({"page": "abc"}, {"page": "0"}, {"page": "-1"}):
        response = api.get("sdk/tasks/", params=params)
        assert response.status_code == 404 and response.json() == {"detail": "Invalid page."}
    for size in ("-1", "0", "x"):
        response = api.get("sdk/tasks/", params={"page_size": size})
        assert response.status_code == 400 and "page_size" in response.json()


def test_count_reflects_writes_between_pages(api: Api, backend: LocalBackend) -> None:
    backend.seed("task_tags", [{"name": str(i)} for i in range(5)])
    first = api.get("task_tags/", params={"page_size": 2}).json()
    api.create("task_tags/", {"name": "new"})
    assert api.get(first["next"]).json()["count"] == 6
