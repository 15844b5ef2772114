"""``synapse serve --seed`` says what it loaded and how to connect, and agrees with what it serves."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import requests


def start(*args: str) -> tuple[subprocess.Popen[str], list[str]]:
    """Start ``serve`` and read its output up to the "Press Ctrl-C" line."""
    process = subprocess.Popen(
        [sys.executable, "-m", "synapse", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    lines: list[str] = []
    while not lines or lines[-1] != "Press Ctrl-C to stop.":
        line = process.stdout.readline()
        assert line, "serve exited early: " + (process.stderr.read() if process.stderr else "")
        lines.append(line.rstrip("\n"))
    return process, lines


def stop(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=10)
    assert process.returncode == 0


def test_seed_prints_what_it_loaded_and_how_to_connect(tmp_path: Path) -> None:
    process, lines = start("--seed", "--token", "t0k", "--db", str(tmp_path / "seed.db"))
    try:
        url = lines[0].rsplit(" ", 1)[-1]
        paragraph = " ".join(" ".join(lines[3:]).split())
        assert f"Connect with: export SYNAPSE_BASE_URL={url} SYNAPSE_API_TOKEN=t0k" in paragraph
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/api/v1", url)
        assert "project 1 ('Sample project')" in paragraph
        assert "data collection 1 ('Sample images')" in paragraph
        assert "plugin 1 ('sample-trainer')" in paragraph
        headers = {"Synapse-Access-Token": "Token t0k"}
        for noun, path in [
            ("tasks", "sdk/tasks/"),
            ("task tags", "task_tags/"),
            ("assignments", "assignments/"),
            ("data units", "data_units/"),
            ("data files", "data_files/"),
            ("storages", "storages/"),
        ]:
            count = requests.get(f"{url}/{path}", headers=headers, timeout=10).json()["count"]
            assert f"{count} {noun}" in paragraph, (noun, count, paragraph)
    finally:
        stop(process)

    again, lines = start("--seed", "--db", str(tmp_path / "seed.db"))
    stop(again)
    assert "--seed: the store already holds data (1 project, 300 tasks), so no sample data was added." in " ".join(
        " ".join(lines).split()
    )


def test_without_seed_nothing_is_claimed() -> None:
    process, lines = start()
    stop(process)
    assert not any("Sample data" in line or "--seed" in line for line in lines)
    assert lines[-2].startswith("Connect with: export SYNAPSE_BASE_URL=http://127.0.0.1:")
