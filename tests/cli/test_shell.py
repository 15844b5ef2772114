"""``synapse shell``: a scripted session through the plain console, and clean failures."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from synapse.__main__ import main
from synapse.testing import LocalBackend

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
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=environment,
        timeout=60,
    )


def test_local_shell_runs_scripted_lines() -> None:
    result = run_shell("--local", "--plain", stdin=SCRIPT)
    assert result.returncode == 0, result.stderr
    assert "status: completed | field completion: True" in result.stdout
    assert "same object: True" in result.stdout
    assert "connected to http://127.0.0.1:" in result.stderr  # the cheat sheet
    assert "p = Project.get(1)" in result.stderr


def test_plain_console_chosen_by_environment() -> None:
    result = run_shell("--local", stdin="print(session.request_count > 0)\n", env={"SYNAPSE_SHELL": "plain"})
    assert result.returncode == 0, result.stderr
    assert "True" in result.stdout


def test_piped_input_that_raises_exits_non_zero() -> None:
    result = run_shell("--local", "--plain", stdin="print('before')\n1/0\nprint('after')\n")
    assert result.returncode == 1
    assert "before" in result.stdout and "after" in result.stdout  # the console goes on, like Python's
    assert "ZeroDivisionError" in result.stderr


def test_code_option_runs_without_a_prompt(backend: LocalBackend, capsys: pytest.CaptureFixture[str]) -> None:
    backend.seed_sample(tasks=3)
    code = "p = Project.get(1)\nprint(p.name, p.tasks.count(), session.request_count)"
    assert main(["shell", "--url", backend.url, "--token", backend.token, "-c", code]) == 0
    out, err = capsys.readouterr()
    assert out == "Sample project 3 3\n"  # reachability check, project, count
    assert err == ""  # no cheat sheet, no prompt


def test_code_that_raises_prints_its_traceback_and_exits_1(
    backend: LocalBackend, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["shell", "--url", backend.url, "--token", backend.token, "-c", "x = 1\nProject.get(99)"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.strip().splitlines()
    assert lines[0] == "Traceback (most recent call last):"
    assert lines[1] == '  File "<string>", line 2, in <module>'  # starts in the user's code
    assert lines[-1].endswith(f"Project.DoesNotExist: 404: Not found. (GET {backend.url}/projects/99/)")


def test_script_runs_as_main_and_its_exit_status_is_kept(
    backend: LocalBackend, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backend.seed_sample(tasks=3)
    script = tmp_path / "count.py"
    script.write_text(
        "import sys\n"
        "if __name__ == '__main__':\n"
        "    print(Task.filter(project=1).count(), __file__.endswith('count.py'))\n"
        "    sys.exit(3)\n"
    )
    assert main(["shell", "--url", backend.url, "--token", backend.token, str(script)]) == 3
    assert capsys.readouterr().out == "3 True\n"


def test_missing_script_is_one_line(backend: LocalBackend, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["shell", "--url", backend.url, "--token", backend.token, str(tmp_path / "nope.py")]) == 1
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("synapse shell: error: FileNotFoundError:") and "nope.py" in line


def test_shell_without_configuration_names_the_options(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("SYNAPSE_BASE_URL", "SYNAPSE_API_TOKEN", "SYNAPSE_ACCESS_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    assert main(["shell", "--plain"]) == 1
    _, err = capsys.readouterr()
    assert err.splitlines() == [
        "synapse shell: error: ConfigurationError: no backend to connect to: pass --url URL and --token TOKEN, "
        "set SYNAPSE_BASE_URL and SYNAPSE_API_TOKEN, or use --local for an embedded backend with sample data"
    ]


def test_malformed_url_names_the_option(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["shell", "--url", "localhost:8000", "--token", "t"]) == 1
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("synapse shell: error: ConfigurationError: bad backend URL (--url or SYNAPSE_BASE_URL):")


def test_unreachable_shell_backend_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["shell", "--plain", "--url", "http://127.0.0.1:9/api/v1", "--token", "secret-token"]) == 1
    _, err = capsys.readouterr()
    [line] = err.strip().splitlines()
    assert "could not connect to the backend" in line
    assert line.endswith("Check --url (default: $SYNAPSE_BASE_URL) and that the backend is running")
    assert "secret-token" not in err


def test_wrong_token_names_the_option(backend: LocalBackend, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["shell", "--url", backend.url, "--token", "not-the-token", "-c", "pass"]) == 1
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("synapse shell: error: AuthenticationError: 401")
    assert line.endswith("Check --token (default: $SYNAPSE_API_TOKEN) for this backend")
    assert "not-the-token" not in line


def test_url_without_the_api_prefix_says_so(backend: LocalBackend, capsys: pytest.CaptureFixture[str]) -> None:
    root = backend.url.removesuffix("/api/v1")
    assert main(["shell", "--url", root, "--token", backend.token, "-c", "pass"]) == 1
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line == (
        f"synapse shell: error: NotFoundError: 404: no Synapse API at {root} (GET projects/ answered 404); "
        "the URL includes the API prefix, e.g. http://127.0.0.1:8000/api/v1"
    )
