"""convert_urls: both spec forms, data: URIs, the download cache, and clear errors."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from synapse.errors import InvalidInputError
from synapse.testing import LocalBackend
from synapse.transfers.uploads import upload_data_file
from synapse.transfers.url_conversion import convert_urls, default_media_dir
from synapse.transport.session import Session


def two_files(session: Session, make_file: Callable[..., Path]) -> tuple[list[Path], list[str]]:
    sources = [make_file(1000 + i, name=f"img{i}.jpg", seed=i) for i in range(2)]
    return sources, [upload_data_file(session, s)["file"] for s in sources]


def test_single_object_with_string_and_dict_fields(
    session: Session, backend: LocalBackend, make_file: Callable[..., Path], tmp_path: Path
) -> None:
    sources, urls = two_files(session, make_file)
    obj: dict[str, Any] = {
        "file": urls[0],
        "data": {"files": {"image": urls[1], "meta": {"url": urls[0], "kind": "thumb"}, "count": 3}},
    }
    out = convert_urls(session, obj, {"files_fields": ["file", "data.files", "absent.field"]}, cache_dir=tmp_path)
    assert out is obj
    assert isinstance(obj["file"], Path) and obj["file"].read_bytes() == sources[0].read_bytes()
    files = obj["data"]["files"]
    assert files["image"].read_bytes() == sources[1].read_bytes()
    assert files["meta"] == {"path": obj["file"], "kind": "thumb"}
    assert files["count"] == 3
    assert obj["file"].suffix == ".jpg"


def test_list_mode_downloads_concurrently_and_reuses_the_cache(
    session: Session, backend: LocalBackend, make_file: Callable[..., Path], cache_dir: Path
) -> None:
    sources, urls = two_files(session, make_file)

    def page() -> dict[str, Any]:
        return {"count": 3, "results": [{"files": {"a": u + "?sig=1"}} for u in urls] + [{"other": 1}]}

    spec = {"files_fields": ["files"], "is_list": True, "coerce": lambda p: str(p)}
    backend.clear_log()
    first = convert_urls(session, page(), spec)
    assert backend.request_count == 2
    assert all(not r.headers.get("Synapse-Access-Token") for r in backend.requests)
    assert [Path(item["files"]["a"]).read_bytes() for item in first["results"][:2]] == [s.read_bytes() for s in sources]
    assert Path(first["results"][0]["files"]["a"]).parent == cache_dir / "media" == default_media_dir()
    backend.clear_log()
    second = convert_urls(session, {"results": [{"files": {"a": u + "?sig=2"}} for u in urls]}, spec)
    assert backend.request_count == 0
    assert [i["files"]["a"] for i in second["results"]] == [i["files"]["a"] for i in first["results"][:2]]


def test_data_uri_is_decoded_locally(session: Session, backend: LocalBackend, tmp_path: Path) -> None:
    content = b"\x89PNG fake image bytes"
    uri = "data:image/png;base64," + base64.b64encode(content).decode()
    obj = convert_urls(session, {"file": uri}, {"files_fields": ["file"]}, cache_dir=tmp_path)
    assert obj["file"] == tmp_path / (hashlib.md5(content).hexdigest() + ".png")
    assert obj["file"].read_bytes() == content
    assert backend.request_count == 0


def test_seed_form_applies_the_callable_to_each_url(session: Session, backend: LocalBackend) -> None:
    page = {
        "results": [
            {"files": {"image": "https://a.example/x.jpg", "raw": {"url": "https://a.example/y.bin"}}},
            {"files": "https://a.example/z.jpg"},
        ]
    }
    convert_urls(session, page, {"files": lambda url: url.replace("a.example", "cdn.example")})
    assert page["results"] == [
        {"files": {"image": "https://cdn.example/x.jpg", "raw": {"url": "https://cdn.example/y.bin"}}},
        {"files": "https://cdn.example/z.jpg"},
    ]
    assert backend.request_count == 0


@pytest.mark.parametrize("value", [["https://a.example/x"], None, 5])
def test_non_url_field_values_raise_a_clear_error(value: Any, session: Session, backend: LocalBackend) -> None:
    with pytest.raises(InvalidInputError, match="'files'"):
        convert_urls(session, {"files": value}, {"files_fields": ["files"]})
    assert backend.request_count == 0


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://host/x.bin", "relative/x.bin"])
def test_non_http_urls_are_refused_before_any_download(
    url: str, session: Session, backend: LocalBackend, tmp_path: Path
) -> None:
    obj = {"files": {"ok": backend.url + "/media/00/x.bin", "bad": url}}
    with pytest.raises(InvalidInputError):
        convert_urls(session, obj, {"files_fields": ["files"]}, cache_dir=tmp_path)
    assert backend.request_count == 0


@pytest.mark.parametrize(
    "spec",
    [
        {"files_fields": "files"},
        {"files_fields": ["files"], "bogus": 1},
        {"files_fields": ["files"], "is_list": "yes"},
        {"files_fields": ["files"], "coerce": 3},
        {"files": "not callable"},
    ],
)
def test_malformed_specs_are_refused(spec: dict[str, Any], session: Session) -> None:
    with pytest.raises(InvalidInputError):
        convert_urls(session, {"files": {}}, spec)


def test_is_list_needs_results(session: Session) -> None:
    with pytest.raises(InvalidInputError, match="results"):
        convert_urls(session, {"files": {}}, {"files_fields": ["files"], "is_list": True})


def test_downloads_run_in_parallel(session: Session, backend: LocalBackend, make_file: Callable[..., Path]) -> None:
    urls = [upload_data_file(session, make_file(100, name=f"p{i}.bin", seed=i))["file"] for i in range(6)]
    backend.faults.add("media/*", method="GET", status=None, delay=0.3, times=None)
    backend.clear_log()
    convert_urls(session, [{"f": url} for url in urls], {"files_fields": ["f"], "is_list": True}, workers=6)
    gets = backend.requests
    assert len(gets) == 6
    assert max(r.started for r in gets) < min(r.started + r.duration for r in gets), "all six were in flight at once"


def test_pruning_a_caller_cache_dir_deletes_only_the_cache_entries(
    session: Session,
    backend: LocalBackend,
    make_file: Callable[..., Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    own = [folder / f"notes-{i}.txt" for i in range(30)]
    for path in own:
        path.write_text("the caller's own file")
    monkeypatch.setenv("SYNAPSE_MAX_TEMP_FILES", "3")
    urls = [upload_data_file(session, make_file(100, name=f"u{i}.bin", seed=i))["file"] for i in range(5)]
    for url in urls:
        convert_urls(session, {"file": url}, {"files_fields": ["file"]}, cache_dir=folder)
    assert all(path.exists() for path in own), "the caller's files are not the cache's to prune"
    cached = [p for p in folder.iterdir() if p.suffix == ".bin"]
    assert len(cached) == 3, "the cache itself stays within its limit"
