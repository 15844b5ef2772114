"""``python -m synapse serve`` runs in the foreground, answers, and stops on SIGINT or SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from synapse.testing import LocalBackend


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_serve_starts_answers_and_stops(tmp_path: Path, stop_signal: signal.Signals) -> None:
    db = tmp_path / "cli.db"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "synapse", "serve", "--port", "0", "--db", str(db), "--token", "t0k", "--seed"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert "listening on http://127.0.0.1:" in line, line + (process.stderr.read() if process.stderr else "")
        url = line.rsplit(" ", 1)[-1].strip()
        assert process.stdout.readline().strip() == "Token: t0k"
        response = requests.get(url + "/projects/", headers={"Synapse-Access-Token": "Token t0k"}, timeout=5)
        assert response.status_code == 200 and response.json()["count"] == 1
        tasks = requests.get(url + "/sdk/tasks/", headers={"Synapse-Access-Token": "Token t0k"}, timeout=5)
        assert tasks.json()["count"] >= 200
        for kind in ("data_collections", "plugins", "storages"):
            listed = requests.get(f"{url}/{kind}/", headers={"Synapse-Access-Token": "Token t0k"}, timeout=5)
            assert listed.json()["count"] >= 1, kind
        process.send_signal(stop_signal)
        deadline = time.monotonic() + 10
        while process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert process.returncode == 0
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=5)
    assert db.exists()


def test_serve_on_a_busy_port_fails_in_one_line_and_leaves_no_folder(backend: LocalBackend, tmp_path: Path) -> None:
    port = urlsplit(backend.url).port
    result = subprocess.run(
        [sys.executable, "-m", "synapse", "serve", "--port", str(port)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "TMPDIR": str(tmp_path)},
    )
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "already in use" in lines[0], result.stderr
    assert list(tmp_path.iterdir()) == []


def test_serve_max_page_size(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "synapse", "serve", "--port", "0", "--max-page-size", "7", "--seed"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().rsplit(" ", 1)[-1].strip()
        page = requests.get(
            url + "/sdk/tasks/?page_size=50", headers={"Synapse-Access-Token": "Token devtoken"}, timeout=5
        ).json()
        assert len(page["results"]) == 7 and page["next"].endswith("?page=2&page_size=50")
    finally:
        process.terminate()
        process.communicate(timeout=10)
    bad = subprocess.run(
        [sys.executable, "-m", "synapse", "serve", "--max-page-size", "0"], capture_output=True, text=True, timeout=60
    )
    assert bad.returncode == 2 and "must be at least 1" in bad.stderr
