"""``synapse serve`` answers and stops cleanly on Ctrl-C (SIGINT).

SIGTERM is covered next to the backend (tests/backend/test_cli.py).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import requests


def start_serve(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "synapse", "serve", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def test_serve_answers_then_stops_on_sigint() -> None:
    process = start_serve("--port", "0", "--token", "t0k", "--seed")
    try:
        assert process.stdout is not None
        url = process.stdout.readline().rsplit(" ", 1)[-1].strip()
        answer = requests.get(f"{url}/tasks/", headers={"Synapse-Access-Token": "Token t0k"}, timeout=5)
        assert answer.status_code == 200 and answer.json()["count"] > 0
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate(timeout=5)
    assert process.returncode == 0, err
    assert out.rstrip().endswith("Stopping.")
    assert "Traceback" not in err

