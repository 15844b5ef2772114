"""DRF page envelope: every item once, absolute next/previous that keep the other params.

tests/conformance compares these answers with a real DRF application; these tests pin the
behaviours a client depends on, against LocalBackend alone.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from synapse.testing.server import LocalBackend

from ._api import Api


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
    # DRF drops ``page`` from the previous link of page 2 and keeps the other params, sorted.
    assert page2["previous"] == backend.url + "/projects/?name__icontains=p&page_size=10"
    page3 = api.get(page2["next"]).json()
    assert page3["previous"] == backend.url + "/projects/?name__icontains=p&page=2&page_size=10"
    last = api.get("projects/", params={"page": 3, "page_size": 10}).json()
    assert last["next"] is None and len(last["results"]) == 5
    past = api.get("projects/", params={"page": 4, "page_size": 10})
    assert past.status_code == 404 and past.json() == {"detail": "Invalid page."}


def test_empty_list_first_page_is_200(api: Api) -> None:
    body = api.get("sdk/tasks/").json()
    assert body == {"count": 0, "next": None, "previous": None, "results": []}


def test_default_and_clamped_page_size(api: Api, backend: LocalBackend) -> None:
    backend.seed("data_units", [{"files": {}, "meta": {}} for _ in range(1200)])
    first = api.get("data_units/").json()
    assert len(first["results"]) == 100 and first["next"] == backend.url + "/data_units/?page=2"
    huge = api.get("data_units/", params={"page_size": 10**9}).json()
    # Clamped to max_page_size, while the link keeps the page_size asked for (DRF).
    assert len(huge["results"]) == 1000 and huge["next"] == backend.url + f"/data_units/?page=2&page_size={10**9}"
    second = api.get(huge["next"]).json()
    assert [u["id"] for u in second["results"]] == list(range(1001, 1201)) and second["next"] is None


def test_capped_backend_keeps_the_requested_size_in_links() -> None:
    with LocalBackend(max_page_size=50) as capped:
        capped.seed("projects", [{"name": f"p{i}"} for i in range(120)])
        api = Api(capped)
        seen: list[int] = []
        url: str | None = api.url("projects/?page_size=100")
        while url:
            body = api.get(url).json()
            seen += [p["id"] for p in body["results"]]
            assert url is None or "page_size=100" in url
            url = body["next"]
        assert seen == list(range(1, 121))  # three pages of 50, not two of 100
        api.session.close()


def test_bad_page_params(api: Api) -> None:
    for params in ({"page": "abc"}, {"page": "0"}, {"page": "-1"}, {"page": "2"}):
        response = api.get("sdk/tasks/", params=params)
        assert response.status_code == 404 and response.json() == {"detail": "Invalid page."}
    for size in ("-1", "0", "x", "1.5"):
        # DRF falls back to the default page size instead of refusing.
        response = api.get("sdk/tasks/", params={"page_size": size})
        assert response.status_code == 200 and response.json()["results"] == []


def test_count_reflects_writes_between_pages(api: Api, backend: LocalBackend) -> None:
    backend.seed("task_tags", [{"name": str(i)} for i in range(5)])
    first = api.get("task_tags/", params={"page_size": 2}).json()
    api.create("task_tags/", {"name": "new"})
    assert api.get(first["next"]).json()["count"] == 6
