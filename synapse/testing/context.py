"""The per-request context handed to every route handler."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Request, Response

from synapse.testing.http import MEDIA_MARKER, json_text_response
from synapse.testing.media import MediaStore
from synapse.testing.store import Store

if TYPE_CHECKING:
    from synapse.testing.jobs import JobRunner


@dataclass
class State:
    """Everything a handler may touch, owned by one LocalBackend."""

    store: Store
    media: MediaStore
    jobs: JobRunner
    token: str
    page_size: int = 100
    max_page_size: int = 1000
    upload_expiry: float = 24 * 3600.0


@dataclass
class Ctx:
    """One request: the parsed werkzeug request, its path relative to the base, the state."""

    request: Request
    path: str
    state: State
    base_url: str

    @property
    def store(self) -> Store:
        return self.state.store

    @property
    def args(self) -> MultiDict[str, str]:
        return self.request.args

    def url(self, relative: str) -> str:
        """Absolute URL of a path relative to the base."""
        return f"{self.base_url}/{relative.lstrip('/')}"

    def respond_text(self, text: str, status: int = 200, headers: dict[str, str] | None = None) -> Response:
        """Answer with stored JSON text, turning media markers into absolute download URLs."""
        if MEDIA_MARKER in text:
            text = text.replace(MEDIA_MARKER, self.base_url + "/media")
        return json_text_response(text, status, headers)

    def respond(self, value: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
        return self.respond_text(json.dumps(value, separators=(",", ":"), ensure_ascii=False), status, headers)
