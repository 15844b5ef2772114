"""Without the ``server`` extra, the commands that start a local backend say what to install, in one line.

The child process gets a ``sitecustomize`` that makes ``werkzeug`` unimportable, exactly as an
install without the extra would (``ModuleNotFoundError: No module named 'werkzeug'``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from synapse.testing import LocalBackend

BLOCKER = """\
import sys


class _NoWerkzeug:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] == "werkzeug":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, _NoWerkzeug())
"""


def run_without_werkzeug(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    shim = tmp_path / "shim"
    shim.mkdir(exist_ok=True)
    (shim / "sitecustomize.py").write_text(BLOCKER)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNAPSE_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(shim), os.environ.get("PYTHONPATH")]))
    env["SYNAPSE_CACHE_DIR"] = str(tmp_path / "cache")
    return subprocess.run(
        [sys.executable, "-m", "synapse", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        stdin=subprocess.DEVNULL,
        cwd=tmp_path,
    )


@pytest.mark.parametrize("argv", [["serve"], ["serve", "--seed"], ["demo", "--quick"], ["shell", "--local"]])
def test_local_backend_commands_name_the_extra(tmp_path: Path, argv: list[str]) -> None:
    result = run_without_werkzeug(tmp_path, *argv)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f'synapse {argv[0]}: error: the local backend needs the server extra: pip install "synapse-orm[server]"'
    ]
    assert result.stdout == ""


def test_the_client_itself_needs_no_extra(tmp_path: Path, backend: LocalBackend) -> None:
    backend.seed_sample(tasks=3)
    code = "import sys; print(Project.get(1).name, 'werkzeug' in sys.modules)"
    result = run_without_werkzeug(tmp_path, "shell", "--url", backend.url, "--token", backend.token, "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Sample project False\n"
