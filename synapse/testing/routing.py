"""A tiny router: ``"tasks/<id>/annotate_task_data/"`` style patterns, matched in order.

Matching runs on the raw (still percent-encoded) relative path and decodes each captured segment,
so ``plugin_releases/co%2Fde@1.0/`` captures ``co/de@1.0`` instead of splitting on the slash.
``<name:path>`` also matches slashes, for lookups that a proxy (or a WSGI server that gives only
the decoded path) has already turned into several segments. A path that matches only with other
methods answers 405, any other path 404.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote

from werkzeug.wrappers import Response

from synapse.testing.context import Ctx
from synapse.testing.http import ApiError, detail

Handler = Callable[[Ctx, dict[str, str]], Response]

_PARAM = re.compile(r"<([a-z_]+)(:path)?>")


def _capture(match: re.Match[str]) -> str:
    return f"(?P<{match.group(1)}>{'.+' if match.group(2) else '[^/]+'})"


@dataclass(frozen=True)
class Route:
    pattern: re.Pattern[str]
    methods: frozenset[str]
    handler: Handler
    auth: str


class Router:
    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, template: str, methods: str, handler: Handler, *, auth: str = "token") -> None:
        """Register a route; ``auth`` is ``token`` (access token), ``agent`` (agent or access) or ``none``."""
        regex = "^" + _PARAM.sub(_capture, re.escape(template)) + "$"
        self.routes.append(Route(re.compile(regex), frozenset(methods.upper().split()), handler, auth))

    def match(self, raw_path: str, method: str) -> tuple[Route, dict[str, str]]:
        allowed: set[str] = set()
        for route in self.routes:
            found = route.pattern.match(raw_path)
            if not found:
                continue
            if method in route.methods or (method == "HEAD" and "GET" in route.methods):
                return route, {k: unquote(v) for k, v in found.groupdict().items()}
            allowed |= route.methods
        if allowed:
            raise ApiError(405, {"detail": f'Method "{method}" not allowed.'}, {"Allow": ", ".join(sorted(allowed))})
        raise detail(404, "Not found.")
