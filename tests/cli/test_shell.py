"""``synapse shell``: a scripted session through the plain console, and clean failures."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from synapse.__main__ import main

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """\
task = Task.get(1)
print("status:", task.status, "| field completion:", "status" in dir(task))
print("same object:", Project.get(1) is task.project)
"""


def run_shell(*args: str, stdin: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SYNAPSE_")}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "synapse", "shell", *args],
        input=stdin, capture_output=True, text=True, cwd=ROOT, env=environment, timeout=60,
    )


def test_local_shell_runs_scripted_lines() -> None:
    result = run_shell("--local", "--plain", stdin=SCRIPT)
    assert result.returncode == 0, result.stderr
    assert "status: completed | field completion: True" in result.stdout
    assert "same object: True" in result.stdout
    assert "connected to http://127.0.0.1:" in result.stderr          # the cheat sheet
    assert "p = Project.get(1)" in result.stderr


def test_plain_console_chosen_by_environment() -> None:
    result = run_shell("--local", stdin="print(session.request_count > 0)\n", env={"SYNAPSE_SHELL": "plain"})
    assert result.returncode == 0, result.stderr
    assert "True" in result.stdout


def test_shell_without_configuration_is_one_line(monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("SYNAPSE_BASE_URL", "SYNAPSE_API_TOKEN", "SYNAPSE_ACCESS_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    assert main(["shell", "--plain"]) == 1
    _, err = capsys.readouterr()
    [line] = err.strip().splitlines()
    assert line.startswith("synapse shell: error: ConfigurationError: No Synapse base URL")


def test_unreachable_shell_backend_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["shell", "--plain", "--url", "http://127.0.0.1:9/api/v1", "--token", "secret-token"]) == 1
    _, err = capsys.readouterr()
    [line] = err.strip().splitlines()
    assert "could not connect to the backend" in line
    assert "secret-token" not in err
