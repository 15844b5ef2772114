"""Conventions of the test suite itself."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _imports_a_conftest(path: Path) -> bool:
    """Whether the module imports a ``conftest`` (``from .conftest import x``, ``from . import conftest``...)."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            names = [*(node.module or "").split("."), *(alias.name for alias in node.names)]
        elif isinstance(node, ast.Import):
            names = [part for alias in node.names for part in alias.name.split(".")]
        else:
            continue
        if "conftest" in names:
            return True
    return False


def test_no_module_imports_from_a_conftest() -> None:
    """pytest loads a conftest itself, under its own module name: importing it again makes a second
    copy (two ``TOKEN``s, two fixture registries). Shared code lives in plain modules instead."""
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("tests", "benchmarks")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if _imports_a_conftest(path)
    ]
    assert offenders == []


def test_ci_runs_the_tests_marked_slow(pytestconfig: pytest.Config) -> None:
    """``slow`` only lets a developer skip them locally; nothing may deselect them by default or in CI."""
    assert any(marker.startswith("slow:") for marker in pytestconfig.getini("markers"))
    addopts = pytestconfig.getini("addopts")
    assert "--strict-markers" in addopts and "-m" not in addopts
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    runs = [line.split()[3:] for line in ci if line.startswith("python -m pytest")]
    assert runs and all("-m" not in options and "-k" not in options for options in runs)
