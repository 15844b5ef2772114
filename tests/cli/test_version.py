"""``synapse --version`` and ``python -m synapse --version`` print the installed version."""

from __future__ import annotations

import subprocess
import sys

import pytest

import synapse
from synapse.__main__ import main


def test_version_flag(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == f"synapse {synapse.__version__}\n"


def test_version_through_python_dash_m() -> None:
    result = subprocess.run([sys.executable, "-m", "synapse", "--version"], capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout, result.stderr) == (0, f"synapse {synapse.__version__}\n", "")
