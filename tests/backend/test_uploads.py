"""Chunked upload (section 8), direct data files, data units, models, downloads with Range."""

from __future__ import annotations

import hashlib
import os
import time

import requests

from synapse.testing.server import LocalBackend

from ._api import Api


def chunked_upload(api: Api, data: bytes, chunk: int, filename: str = "blob.bin") -> dict[str, object]:
    """The official client's algorithm: PUT chunks at the server's offset, then POST the md5."""
    total, offset, url = len(data), 0, "chunked_upload/"
    while offset < total:
        piece = data[offset : offset + chunk]
        response = api.put(
            url,
            data={"filename": filename},
            files={"file": ("file", piece)},
            headers={"Content-Range": f"bytes {offset}-{offset + len(piece) - 1}/{total}"},
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert isinstance(body["id"], str) and body["url"].startswith("http")
        url, offset = body["url"], body["offset"]
    final = api.post(url, json={"md5": hashlib.md5(data).hexdigest()})
    assert final.status_code == 200, final.text
    result: dict[str, object] = final.json()
    return result


def test_multi_chunk_round_trip_without_auth(api: Api) -> None:
    data = os.urandom(250_000)
    final = chunked_upload(api, data, 64 * 1024)
    assert final["status"] == 2 and final["size"] == len(data) and final["completed_at"]
    assert final["checksum"] == hashlib.md5(data).hexdigest()
    download = requests.get(str(final["file"]), timeout=5)
    assert download.status_code == 200 and download.content == data
    resumed = requests.get(str(final["file"]), headers={"Range": "bytes=100000-"}, timeout=5)
    assert resumed.status_code == 206 and resumed.content == data[100000:]
    assert resumed.headers["Content-Range"] == f"bytes 100000-{len(data) - 1}/{len(data)}"
    state = api.get(f"chunked_upload/{final['id']}/").json()
    assert state["offset"] == len(data) and state["status"] == 2 and state["completed_at"]


def test_wrong_offset_reports_expected_offset(api: Api) -> None:
    first = api.put(
        "chunked_upload/",
        data={"filename": "a"},
        files={"file": ("file", b"abcd")},
        headers={"Content-Range": "bytes 0-3/8"},
    ).json()
    wrong = api.put(first["url"], files={"file": ("file", b"efgh")}, headers={"Content-Range": "bytes 2-5/8"})
    assert wrong.status_code == 400 and wrong.json() == {"detail": "Offsets do not match", "offset": 4}
    mismatch = api.put(first["url"], files={"file": ("file", b"efg")}, headers={"Content-Range": "bytes 4-7/8"})
    assert mismatch.status_code == 400 and "does not match" in mismatch.json()["detail"]
    beyond = api.put(first["url"], files={"file": ("file", b"efgh")}, headers={"Content-Range": "bytes 4-8/8"})
    assert beyond.status_code == 400
    garbage = api.put(first["url"], files={"file": ("file", b"efgh")}, headers={"Content-Range": "lots"})
    assert garbage.status_code == 400 and "Content-Range" in garbage.json()["detail"]
    good = api.put(first["url"], files={"file": ("file", b"efgh")}, headers={"Content-Range": "bytes 4-7/8"})
    assert good.json()["offset"] == 8


def test_wrong_md5_keeps_upload_incomplete(api: Api) -> None:
    first = api.put(
        "chunked_upload/",
        data={"filename": "a"},
        files={"file": ("file", b"abcd")},
        headers={"Content-Range": "bytes 0-3/4"},
    ).json()
    bad = api.post(first["url"], json={"md5": "0" * 32})
    assert bad.status_code == 400 and bad.json() == {"detail": "md5 checksum does not match"}
    assert api.get(first["url"]).json()["status"] == 1
    not_done = api.post("data_files/", json={"chunked_upload": first["id"]})
    assert not_done.status_code == 400 and "chunked_upload" in not_done.json()
    good = api.post(first["url"], json={"md5": hashlib.md5(b"abcd").hexdigest()})
    assert good.status_code == 200 and good.json()["status"] == 2
    assert api.post(first["url"], json={"md5": "not-hex"}).status_code == 400


def test_incomplete_upload_cannot_finish(api: Api) -> None:
    first = api.put(
        "chunked_upload/", files={"file": ("file", b"abcd")}, headers={"Content-Range": "bytes 0-3/10"}
    ).json()
    response = api.post(first["url"], json={"md5": hashlib.md5(b"abcd").hexdigest()})
    assert response.status_code == 400 and response.json()["offset"] == 4


def test_unknown_upload_is_404(api: Api) -> None:
    for path in ("chunked_upload/" + "0" * 32 + "/", "chunked_upload/nope/", "chunked_upload/..%2F..%2Fetc/"):
        assert api.get(path).status_code == 404
        assert api.post(path, json={"md5": "0" * 32}).status_code == 404


def test_empty_file(api: Api) -> None:
    response = api.post("chunked_upload/", json={"md5": "d41d8cd98f00b204e9800998ecf8427e"})
    assert response.status_code == 200
    body = response.json()
    assert body["id"] and body["size"] == 0 and body["status"] == 2
    assert requests.get(body["file"], timeout=5).content == b""
    data_file = api.post("data_files/", json={"chunked_upload": body["id"], "meta": {"filename": "empty.txt"}})
    assert data_file.status_code == 201 and data_file.json()["checksum"] == "d41d8cd98f00b204e9800998ecf8427e"
    assert api.post("chunked_upload/", json={"md5": "0" * 32}).status_code == 400


def test_expired_upload(api: Api, backend: LocalBackend) -> None:
    backend.state.upload_expiry = 0.05
    try:
        first = api.put(
            "chunked_upload/", files={"file": ("file", b"ab")}, headers={"Content-Range": "bytes 0-1/4"}
        ).json()
        time.sleep(0.1)
        response = api.put(first["url"], files={"file": ("file", b"cd")}, headers={"Content-Range": "bytes 2-3/4"})
        assert response.status_code == 410 and "expired" in response.json()["detail"]
    finally:
        backend.state.upload_expiry = 24 * 3600.0


def test_data_file_direct_and_verify_checksums(api: Api) -> None:
    content = b"\x89PNG fake image"
    response = api.post("data_files/", files={"file": ("cat.png", content)})
    assert response.status_code == 201
    body = response.json()
    assert isinstance(body["id"], int) and body["checksum"] == hashlib.md5(content).hexdigest()
    assert body["size"] == len(content) and requests.get(body["file"], timeout=5).content == content
    verify = api.post("data_files/verify_checksums/", json={"checksums": [body["checksum"], "f" * 32]})
    assert verify.json() == {"existing_checksums": [body["checksum"]]}
    assert api.post("data_files/", json={}).status_code == 400


def test_file_names_cannot_escape(api: Api, backend: LocalBackend) -> None:
    response = api.post("data_files/", files={"file": ("../../etc/passwd", b"x")})
    body = response.json()
    assert response.status_code == 201 and "/etc/" not in body["file"] and ".." not in body["file"]
    assert body["file"].endswith("/passwd")
    files = [p for p in backend.data_dir.rglob("*") if p.is_file()]
    assert all(backend.data_dir in p.parents for p in files)
    assert requests.get(api.url("media/../../etc/passwd"), timeout=5).status_code == 404
    assert requests.get(api.url("media/%2e%2e%2f%2e%2e/x"), timeout=5).status_code == 404


def test_data_units_list_and_dict_bodies(api: Api) -> None:
    collection = api.create("data_collections/", {"name": "c", "file_specifications": []})
    data_file = api.post("data_files/", files={"file": ("a.png", b"png bytes")}).json()
    item = {
        "data_collection": collection["id"],
        "files": {"image": {"checksum": data_file["checksum"], "path": "/local/a.png"}},
        "meta": {"k": 1},
        "groups": ["root", "leaf"],
    }
    one = api.post("data_units/", json=item)
    assert one.status_code == 201 and isinstance(one.json(), dict)
    image = one.json()["files"]["image"]
    assert image["url"] == data_file["file"] and image["path"] == "/local/a.png"
    many = api.post("data_units/", json=[item, {**item, "meta": {"k": 2}}])
    assert many.status_code == 201 and [u["meta"]["k"] for u in many.json()] == [1, 2]
    unknown = api.post("data_units/", json={**item, "files": {"image": {"checksum": "0" * 32, "path": "x"}}})
    assert unknown.status_code == 400 and "files" in unknown.json()
    assert api.post("data_units/", json={**item, "files": None}).status_code == 400


def test_model_from_chunked_upload_and_multipart(api: Api) -> None:
    api.create("plugins/", {"name": "t", "code": "trainer"})
    final = chunked_upload(api, b"weights" * 1000, 2048, "model.pt")
    body = {"name": "m", "plugin": "trainer", "chunked_upload": final["id"], "configuration": {"a": 1}}
    model = api.post("models/", json=body)
    assert model.status_code == 201, model.text
    assert requests.get(model.json()["file"], timeout=5).content == b"weights" * 1000
    direct = api.post("models/", data={"name": "m2"}, files={"file": ("m.bin", b"abc")})
    assert direct.status_code == 201 and requests.get(direct.json()["file"], timeout=5).content == b"abc"
    assert api.post("models/", json={"name": "m", "chunked_upload": "nope"}).status_code == 400
