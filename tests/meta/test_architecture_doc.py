"""``docs/architecture.md`` says where each concern lives: it names every module, and only modules that exist."""

from __future__ import annotations

import re
from pathlib import Path

import synapse

PACKAGE = Path(synapse.__file__).parent
DOC = PACKAGE.parent / "docs" / "architecture.md"


def _modules() -> set[str]:
    return {path.relative_to(PACKAGE).as_posix() for path in PACKAGE.rglob("*.py")}


def _named() -> set[str]:
    return set(re.findall(r"^\| `([\w/]+\.py)` \|", DOC.read_text(), flags=re.MULTILINE))


def test_every_module_has_its_line() -> None:
    assert sorted(_modules() - _named()) == []


def test_every_module_named_exists() -> None:
    assert sorted(_named() - _modules()) == []
