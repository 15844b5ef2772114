"""A file database (and its uploaded files) survives stop/start."""

from __future__ import annotations

from pathlib import Path

import requests

from synapse.testing.server import LocalBackend

HEADERS = {"Synapse-Access-Token": "Token devtoken"}


def test_file_db_survives_restart(tmp_path: Path) -> None:
    db = tmp_path / "synapse.db"
    backend = LocalBackend(db=db)
    with backend:
        project = requests.post(backend.url + "/projects/", json={"name": "kept"}, headers=HEADERS, timeout=5).json()
        data_file = requests.post(
            backend.url + "/data_files/", files={"file": ("a.txt", b"persisted bytes")}, headers=HEADERS, timeout=5
        ).json()
    assert not backend.running
    with backend:
        kept = requests.get(f"{backend.url}/projects/{project['id']}/", headers=HEADERS, timeout=5).json()
        assert kept["name"] == "kept"
        again = requests.get(f"{backend.url}/data_files/{data_file['id']}/", headers=HEADERS, timeout=5).json()
        assert requests.get(again["file"], timeout=5).content == b"persisted bytes"
        second = requests.post(backend.url + "/projects/", json={"name": "n"}, headers=HEADERS, timeout=5).json()
        assert second["id"] == project["id"] + 1
        assert backend.errors == []
    with LocalBackend(db=db) as fresh:
        assert fresh.count("projects") == 2
    assert (tmp_path / "synapse.db.files" / "media").is_dir()


def test_memory_backend_is_empty_after_restart_and_stop_is_idempotent() -> None:
    backend = LocalBackend()
    backend.start()
    backend.start()
    backend.seed("projects", [{"name": "x"}])
    data_dir = backend.data_dir
    backend.stop()
    backend.stop()
    assert not data_dir.exists()
    with backend:
        assert backend.count("projects") == 0
        assert requests.get(backend.url + "/projects/", headers=HEADERS, timeout=5).json()["count"] == 0
