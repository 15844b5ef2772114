"""Many concurrent clients: no errors, no lost rows; keep-alive connections are reused."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from synapse.testing.server import LocalBackend


@pytest.mark.slow
def test_32_threads_create_and_read(backend: LocalBackend) -> None:
    project = backend.seed("projects", [{"name": "p"}])[0]

    def worker(n: int) -> list[int]:
        with requests.Session() as session:
            session.headers["Synapse-Access-Token"] = "Token devtoken"
            ids = []
            for i in range(15):
                created = session.post(
                    backend.url + "/tasks/", json={"project": project, "data": [{"data": {"w": n, "i": i}}]}, timeout=10
                )
                assert created.status_code == 201, created.text
                ids.append(created.json()["results"][0]["id"])
                got = session.get(f"{backend.url}/tasks/{ids[-1]}/", timeout=10)
                assert got.json()["data"] == {"w": n, "i": i}
                page = session.get(backend.url + "/sdk/tasks/", params={"project": project}, timeout=10)
                assert page.status_code == 200
            return ids

    with ThreadPoolExecutor(32) as pool:
        results = list(pool.map(worker, range(32)))
    all_ids = [i for ids in results for i in ids]
    assert len(set(all_ids)) == 32 * 15
    assert backend.count("tasks") == 32 * 15
    assert all(r.status in (200, 201) for r in backend.requests)


def test_keep_alive_reuses_one_connection(backend: LocalBackend) -> None:
    with requests.Session() as session:
        session.headers["Synapse-Access-Token"] = "Token devtoken"
        ports = set()
        for _ in range(20):
            response = session.get(backend.url + "/projects/", stream=True, timeout=5)
            connection = response.raw.connection
            assert connection is not None, "a streamed response holds its connection until read"
            ports.add(connection.sock.getsockname()[1])
            response.content  # noqa: B018 - read the body so the connection returns to the pool
            assert response.headers.get("Connection", "").lower() != "close"
    assert len(ports) == 1
