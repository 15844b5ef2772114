"""Fault injection: statuses with Retry-After, countdown, dropped connections, delays, custom bodies."""

from __future__ import annotations

import contextlib
import time

import pytest
import requests

from synapse.testing.server import LocalBackend

from ._api import Api


def test_status_with_retry_after_counts_down(api: Api, backend: LocalBackend) -> None:
    fault = backend.faults.add("sdk/tasks/", status=429, times=2, retry_after=1)
    for _ in range(2):
        response = api.get("sdk/tasks/")
        assert response.status_code == 429 and response.headers["Retry-After"] == "1"
        assert "detail" in response.json()
    assert api.get("sdk/tasks/").status_code == 200
    assert fault.hits == 2 and fault.remaining == 0
    assert [r.fault is not None for r in backend.requests] == [True, True, False]
    assert backend.requests[0].status == 429


def test_glob_and_method_matching(api: Api, backend: LocalBackend) -> None:
    backend.faults.add("tasks/*", method="PUT", status=503, times=None)
    backend.seed("projects", [{"name": "p"}])
    task = api.create("tasks/", {"project": 1})
    assert api.get(f"tasks/{task['id']}/").status_code == 200
    for _ in range(3):
        assert api.put(f"tasks/{task['id']}/annotate_task_data/", json={}).status_code == 503
    backend.faults.clear()
    assert api.put(f"tasks/{task['id']}/annotate_task_data/", json={}).status_code == 200
    backend.faults.add("re:^projects/\\d+/$", status=500, times=1)
    assert api.get("projects/1/").status_code == 500
    assert api.get("projects/").status_code == 200


def test_drop_before_creates_nothing(api: Api, backend: LocalBackend) -> None:
    backend.faults.add("projects/", method="POST", status=None, drop_connection="before", times=1)
    with pytest.raises(requests.ConnectionError):
        api.post("projects/", json={"name": "lost"})
    assert backend.count("projects") == 0
    assert backend.requests[-1].status is None and backend.requests[-1].fault
    assert api.post("projects/", json={"name": "ok"}).status_code == 201


def test_drop_after_creates_the_object(api: Api, backend: LocalBackend) -> None:
    backend.faults.add("projects/", method="POST", status=None, drop_connection="after", times=1)
    with pytest.raises(requests.ConnectionError):
        api.post("projects/", json={"name": "created anyway"})
    assert api.get("projects/").json()["results"][0]["name"] == "created anyway"


def test_delay_triggers_client_timeout(api: Api, backend: LocalBackend) -> None:
    backend.faults.add("projects/", status=None, delay=1.0, times=1)
    started = time.monotonic()
    with pytest.raises(requests.ReadTimeout):
        api.get("projects/", timeout=0.2)
    assert time.monotonic() - started < 0.9
    backend.faults.add("projects/", status=None, delay=0.2, times=1)
    started = time.monotonic()
    assert api.get("projects/").status_code == 200
    assert time.monotonic() - started >= 0.2


def test_custom_bodies(api: Api, backend: LocalBackend) -> None:
    backend.faults.add("sdk/tasks/", status=502, body="<html><body>Bad Gateway</body></html>", times=1)
    html = api.get("sdk/tasks/")
    assert html.status_code == 502 and html.headers["Content-Type"].startswith("text/html")
    backend.faults.add("sdk/tasks/", status=200, body='{"count": 3, "resu', content_type="application/json", times=1)
    truncated = api.get("sdk/tasks/")
    assert truncated.status_code == 200 and truncated.text == '{"count": 3, "resu'
    backend.faults.add("sdk/tasks/", status=200, body={"count": 1, "next": None}, times=1)
    assert api.get("sdk/tasks/").json() == {"count": 1, "next": None}


def test_probability_is_seeded(api: Api, backend: LocalBackend) -> None:
    def pattern() -> list[int]:
        backend.faults.clear()
        backend.faults.seed(42)
        backend.faults.add("projects/", status=503, times=None, probability=0.5)
        return [api.get("projects/").status_code for _ in range(20)]

    first = pattern()
    assert first == pattern() and {200, 503} == set(first)


def test_every_kind_of_fault_is_in_the_request_log(api: Api, backend: LocalBackend) -> None:
    kinds = {
        "status": {"status": 503, "retry_after": 2},
        "delay": {"status": None, "delay": 0.01},
        "drip": {"status": None, "drip": 0.001},
        "before": {"status": None, "drop_connection": "before"},
        "after": {"status": None, "drop_connection": "after"},
        "probability": {"status": 429, "probability": 0.999},
    }
    backend.faults.seed(1)
    for name, options in kinds.items():
        backend.faults.add(f"projects/{name}/", name=name, times=1, **options)  # type: ignore[arg-type]
        with contextlib.suppress(requests.ConnectionError):
            api.get(f"projects/{name}/")
    logged = {record.path: (record.fault, record.status) for record in backend.requests}
    assert logged == {
        "projects/status/": ("status", 503),
        "projects/delay/": ("delay", 404),
        "projects/drip/": ("drip", 404),
        "projects/before/": ("before", None),
        "projects/after/": ("after", None),
        "projects/probability/": ("probability", 429),
    }


def test_latency_applies_to_every_request() -> None:
    with LocalBackend(latency=0.1) as slow:
        started = time.monotonic()
        for _ in range(3):
            requests.get(slow.url + "/projects/", headers=slow.auth_headers, timeout=5)
        assert time.monotonic() - started >= 0.3


def test_invalid_fault_arguments(backend: LocalBackend) -> None:
    with pytest.raises(ValueError):
        backend.faults.add("x", status=None)
    with pytest.raises(ValueError):
        backend.faults.add("x", drop_connection="sideways")  # type: ignore[arg-type]
