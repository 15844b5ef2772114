"""The facade spells no route a resource family declares: paths come from ``Family._meta`` and
``synapse.orm.routes``, and the few routes no family covers are named once in ``client/_routes.py``."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import synapse
from synapse.client import _routes
from synapse.orm.relations import registered

CLIENT = Path(synapse.__file__).parent / "client"
ROUTE = re.compile(r"[a-z_]+(/[a-z_]+)*/")

PENDING = {("_data.py", "upload_data_collection"), ("_data.py", "verify_data_files_checksums")}
"""Upload methods whose workflow is moving to ``synapse.transfers``; their literals go with them."""


class _Routes(ast.NodeVisitor):
    """Route-shaped strings (an f-string's text parts too), with the function each sits in."""

    def __init__(self) -> None:
        self.function = "<module>"
        self.found: list[tuple[str, str]] = []

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        outer, self.function = self.function, node.name
        self.generic_visit(node)
        self.function = outer

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and ROUTE.fullmatch(node.value):
            self.found.append((self.function, node.value))


def _route_literals(path: Path) -> list[tuple[str, str]]:
    visitor = _Routes()
    visitor.visit(ast.parse(path.read_text()))
    return visitor.found


def test_route_literals_live_only_in_the_routes_module() -> None:
    offenders = [
        f"{path.name}::{function} spells {literal!r}"
        for path in sorted(CLIENT.glob("*.py"))
        if path.name != "_routes.py"
        for function, literal in _route_literals(path)
        if (path.name, function) not in PENDING
    ]
    assert offenders == []


def test_named_routes_are_not_declared_by_any_family() -> None:
    declared = {path for cls in registered().values() for path in (cls._meta.path, cls._meta.list_path)}
    named = {value for name, value in vars(_routes).items() if name.isupper()}
    assert named and not named & declared
