"""Malformed input always gets a clear 4xx JSON body, never a 500 (backend.errors stays empty)."""

from __future__ import annotations

import socket

import pytest
import requests

from synapse.testing.server import LocalBackend

from ._api import Api


def test_bad_json(api: Api) -> None:
    response = api.post("projects/", data=b"{not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and response.json()["detail"].startswith("JSON parse error - ")
    binary = api.post("projects/", data=b"\xff\xfe\x00", headers={"Content-Type": "application/json"})
    assert binary.status_code == 400


def test_body_of_wrong_shape(api: Api) -> None:
    assert api.post("projects/", json=[1, 2]).status_code == 400
    assert api.post("projects/", json="text").status_code == 400
    assert api.patch("projects/1/", json=None).status_code == 404
    assert api.post("tasks/", json={"project": 1, "data": ["x"]}).status_code == 400
    assert api.post("tasks/set_tags/", json={"ids": ["a"], "tags": [1]}).status_code == 400
    assert api.post("tasks/set_tags/", json={"ids": [1], "tags": [], "action": "explode"}).status_code == 400
    assert api.post("plugin_releases/", json={"plugin": 5, "version": "1", "config": "x"}).status_code == 400


@pytest.mark.parametrize("raw_id", ["-1", "0", "abc", "..%2Fx", "1.5", "99999999999999999999999", "%00"])
def test_bad_ids_are_404(api: Api, raw_id: str) -> None:
    for method in ("GET", "PATCH", "DELETE"):
        response = api.request(method, f"tasks/{raw_id}/", json={} if method == "PATCH" else None)
        assert response.status_code == 404 and response.json() == {"detail": "Not found."}


def test_huge_and_odd_query_params(api: Api) -> None:
    assert api.get("sdk/tasks/", params={"page_size": "9" * 50}).status_code == 200
    assert api.get("sdk/tasks/", params={"ordering": "-'; DROP TABLE tasks; --"}).status_code == 200
    assert api.get("sdk/tasks/", params={"a'b": "1"}).json()["count"] == 0
    assert api.get("sdk/tasks/", params={"id__gt": "abc"}).status_code == 200
    assert api.get("sdk/tasks/", params={"expand": "project,,nope.deeper", "fields": ""}).status_code == 200


def test_garbage_multipart(api: Api) -> None:
    response = api.post(
        "data_files/",
        data=b'--xx\r\nContent-Disposition: form-data; name="file"\r\n\r\ntrunc',
        headers={"Content-Type": "multipart/form-data; boundary=xx"},
    )
    assert 400 <= response.status_code < 500 and isinstance(response.json(), dict)
    no_boundary = api.put("chunked_upload/", data=b"abc", headers={"Content-Type": "multipart/form-data"})
    assert 400 <= no_boundary.status_code < 500


def test_deeply_nested_json(api: Api) -> None:
    deep = '{"a": ' * 5000 + "1" + "}" * 5000
    response = api.post("projects/", data=deep, headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and response.json()["detail"].startswith("JSON parse error - ")
    as_form = api.post("projects/", data={"name": deep})
    assert as_form.status_code == 201 and as_form.json()["name"] == deep


def test_file_parts_where_no_file_is_stored(api: Api, backend: LocalBackend) -> None:
    [project] = backend.seed("projects", [{"name": "p"}])
    [task] = backend.seed("tasks", [{"project": project}])
    created = api.post("projects/", data={"name": "x"}, files={"logo": ("logo.png", b"\x89PNG")})
    assert created.status_code == 400 and created.json() == {"logo": ["A file upload is not accepted for this field."]}
    annotated = api.put(f"tasks/{task}/annotate_task_data/", files={"mask": ("m.bin", b"\x00")})
    assert annotated.status_code == 400 and "mask" in annotated.json()


def test_unsupported_media_type(api: Api) -> None:
    response = api.post("projects/", data=b"a=1", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415 and "detail" in response.json()


def test_body_too_large(api: Api) -> None:
    small = LocalBackend(max_body=1000)
    with small:
        response = requests.post(
            small.url + "/projects/",
            data=b"x" * 5000,
            headers={"Content-Type": "application/json", "Synapse-Access-Token": "Token devtoken"},
            timeout=5,
        )
        assert response.status_code == 413 and response.json() == {"detail": "Request body is too large."}
        assert small.errors == []


def test_raw_protocol_garbage_keeps_server_alive(backend: LocalBackend) -> None:
    with socket.create_connection((backend.host, backend.port), timeout=5) as sock:
        sock.sendall(b"\x16\x03\x01 not http at all\r\n\r\n")
        sock.recv(1024)
    with socket.create_connection((backend.host, backend.port), timeout=5) as sock:
        sock.sendall(b'GET /api/v1/projects/ HTTP/1.1\r\nHost: evil"host\r\nContent-Length: abc\r\n\r\n')
        assert sock.recv(1024).startswith(b"HTTP/1.1 401")
    assert requests.get(backend.url + "/projects/", headers=backend.auth_headers, timeout=5).status_code == 200


def test_outside_base_and_unknown_routes(backend: LocalBackend) -> None:
    for url in (backend.root_url + "/", backend.root_url + "/tasks/", backend.url + "/nope/", backend.url + "/"):
        response = requests.get(url, headers=backend.auth_headers, timeout=5)
        assert response.status_code == 404 and response.json() == {"detail": "Not found."}
