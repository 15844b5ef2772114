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


def test_serve_on_a_busy_port_fails_in_one_line(backend: LocalBackend) -> None:
    port = urlsplit(backend.url).port
    result = subprocess.run(
        [sys.executable, "-m", "synapse", "serve", "--port", str(port)],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "already in use" in lines[0], result.stderr
