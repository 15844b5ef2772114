"""The package's layers import only downwards, and nothing imports upwards or in circles."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import synapse

ROOT = Path(synapse.__file__).parent

ALLOWED: dict[str, set[str]] = {
    "transport": {"errors", "_version"},
    "orm": {"transport", "errors", "enums"},
    "transfers": {"transport", "errors"},
    "resources": {"orm", "transfers", "transport", "errors", "enums"},
    "client": {"resources", "orm", "transfers", "transport", "errors", "enums"},
    "testing": set(),
}
"""Which top-level parts of ``synapse`` each subpackage may import (besides itself)."""


def _imports(path: Path) -> set[str]:
    """The ``synapse.<part>`` names a module imports, at any depth of the file (lazy imports count too)."""
    module = ".".join(path.relative_to(ROOT.parent).with_suffix("").parts)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
                names = [target] if node.module else [f"{target}.{alias.name}" for alias in node.names]
            else:
                names = [node.module or ""]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        found.update(name for name in names if name.startswith("synapse"))
    return found


def _part(name: str) -> str:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else ""


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_layer_imports_only_what_lies_below(layer: str) -> None:
    offenders = []
    for path in sorted((ROOT / layer).rglob("*.py")):
        for name in _imports(path):
            part = _part(name)
            if part and part != layer and part not in ALLOWED[layer]:
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not offenders, "\n".join(offenders)


def test_no_module_uses_importlib_to_reach_other_modules() -> None:
    users = [
        str(path.relative_to(ROOT))
        for path in ROOT.rglob("*.py")
        if "import_module(" in path.read_text() and path.parts[-2] != "cli"
    ]
    assert users == []


def test_no_module_is_over_400_lines() -> None:
    long = {str(p.relative_to(ROOT)): n for p in ROOT.rglob("*.py") if (n := len(p.read_text().splitlines())) > 400}
    assert long == {}


def test_only_the_transport_seam_touches_the_http_library() -> None:
    users = sorted(
        str(path.relative_to(ROOT))
        for path in ROOT.rglob("*.py")
        if path.parts[-2] != "testing" and "testing" not in path.parts
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, (ast.Import, ast.ImportFrom))
        and any(
            (alias.name if isinstance(node, ast.Import) else node.module or "").split(".")[0] in ("requests", "urllib3")
            for alias in node.names
        )
    )
    assert set(users) == {"transport/_http.py"}
