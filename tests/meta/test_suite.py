"""Conventions of the test suite itself."""

from __future__ import annotations

import ast
from pathlib import Path

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
