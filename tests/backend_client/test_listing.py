"""list_all=True: (iterator, count), page 1 at call time, later pages only when iterated."""

from __future__ import annotations

import pytest

from synapse import BackendClient, BadRequestError, NotFoundError
from synapse.testing import LocalBackend


def _tasks(backend: LocalBackend, n: int) -> int:
    pid = backend.seed("projects", [{"name": "p"}])[0]
    backend.seed("tasks", [{"project": pid, "name": f"t{i}"} for i in range(n)])
    return pid


def test_list_all_fetches_page_one_eagerly_and_the_rest_lazily(backend: LocalBackend, client: BackendClient) -> None:
    pid = _tasks(backend, 250)
    backend.clear_log()
    tasks, count = client.list_tasks(params={"project": pid}, list_all=True)
    assert count == 250
    assert backend.request_count == 1
    first = backend.requests[0]
    assert first.path == "sdk/tasks/" and first.query == {"project": [str(pid)], "page_size": ["100"]}
    head = [next(tasks) for _ in range(100)]
    assert backend.request_count == 1
    rest = list(tasks)
    names = [t["name"] for t in head + rest]
    assert names == [f"t{i}" for i in range(250)]
    assert backend.request_count == 3
    assert {r.query["page"][0] for r in backend.requests[1:]} == {"2", "3"}


def test_seed_style_list_all_without_params(backend: LocalBackend, client: BackendClient) -> None:
    _tasks(backend, 3)
    all_tasks, count = client.list_tasks(list_all=True)
    assert count == 3 and len(list(all_tasks)) == 3


def test_explicit_page_size_is_kept(backend: LocalBackend, client: BackendClient) -> None:
    _tasks(backend, 5)
    backend.clear_log()
    items, count = client.list_tasks(params={"page_size": 2}, list_all=True)
    assert count == 5 and len(list(items)) == 5
    assert backend.request_count == 3
    assert backend.requests[0].query == {"page_size": ["2"]}


def test_without_list_all_the_page_is_returned_unchanged(backend: LocalBackend, client: BackendClient) -> None:
    _tasks(backend, 3)
    page = client.list_tasks(params={"page": 1, "page_size": 2})
    assert set(page) >= {"count", "next", "previous", "results"} and len(page["results"]) == 2
    assert backend.requests[-1].query == {"page": ["1"], "page_size": ["2"]}


@pytest.mark.parametrize(
    "method",
    [
        "list_assignments",
        "list_data_units",
        "list_ground_truth_events",
        "list_tasks_data",
        "list_tasks_files",
        "list_assignments_data",
        "list_assignments_files",
        "list_data_collections",
        "list_data_collection",
    ],
)
def test_every_paginated_method_supports_list_all(backend: LocalBackend, client: BackendClient, method: str) -> None:
    items, count = getattr(client, method)(list_all=True)
    assert count == 0 and list(items) == []


def test_errors_on_page_one_raise_at_call_time(backend: LocalBackend, client: BackendClient) -> None:
    backend.faults.add("sdk/tasks/", status=404, times=1, body={"detail": "Not found."})
    with pytest.raises(NotFoundError):
        client.list_tasks(list_all=True)


def test_page_retries_and_throttle(backend: LocalBackend, client: BackendClient) -> None:
    _tasks(backend, 5)
    backend.clear_log()
    backend.faults.add("sdk/tasks/", status=400, times=1, body={"detail": "flaky"})
    items, count = client.list_tasks(
        params={"page_size": 2}, list_all=True, page_retries=1, page_retry_backoff=0.001, throttle_seconds=0.001
    )
    assert count == 5 and len(list(items)) == 5
    assert [r.status for r in backend.requests] == [400, 200, 200, 200]


def test_unknown_keyword_arguments_are_type_errors(client: BackendClient) -> None:
    with pytest.raises(TypeError):
        client.list_tasks(list_all=True, page_fails=[])  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        client.list_jobs(list_all=True)  # type: ignore[call-arg]


def test_errors_on_later_pages_raise_from_the_iterator(backend: LocalBackend, client: BackendClient) -> None:
    _tasks(backend, 250)
    items, count = client.list_tasks(list_all=True)
    assert count == 250
    backend.faults.add("sdk/tasks/", status=400, times=1, body={"detail": "broken page"})
    with pytest.raises(BadRequestError, match="broken page"):
        list(items)


def test_page_failures_records_a_failed_page_and_moves_on(backend: LocalBackend, client: BackendClient) -> None:
    _tasks(backend, 5)
    failures: list[dict[str, object]] = []
    items, count = client.list_tasks(params={"page_size": 2}, list_all=True, page_failures=failures)
    backend.faults.add("sdk/tasks/", status=400, times=1, body={"detail": "broken page"})
    names = [t["name"] for t in items]
    assert count == 5 and names == ["t0", "t1", "t4"]
    assert len(failures) == 1 and failures[0]["page"] == 2 and "broken page" in str(failures[0]["error"])
    assert "page=2" in str(failures[0]["url"])


def test_page_failures_stops_after_a_failed_last_page(backend: LocalBackend, client: BackendClient) -> None:
    _tasks(backend, 3)
    failures: list[dict[str, object]] = []
    items, _ = client.list_tasks(params={"page_size": 2}, list_all=True, page_failures=failures)
    backend.faults.add("sdk/tasks/", status=500, times=None, body={"detail": "down"})
    assert len(list(items)) == 2
    assert [f["page"] for f in failures] == [2]


def test_data_units_pages_use_the_60_second_read_timeout(backend: LocalBackend, client: BackendClient) -> None:
    cid = backend.seed("data_collections", [{"name": "c"}])[0]
    backend.seed("data_units", [{"data_collection": cid} for _ in range(3)])
    sent: list[object] = []
    real = client.session.request

    def spy(*args: object, **kwargs: object) -> object:
        sent.append(kwargs.get("timeout"))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    client.session.request = spy  # type: ignore[method-assign]
    client.list_data_units()
    units, count = client.list_data_units(params={"page_size": 2}, list_all=True, url_conversion=False)
    assert count == 3 and len(list(units)) == 3
    assert len(sent) == 3 and all(getattr(t, "read", None) == 60 for t in sent)
    assert client.session.timeouts.read == 30
