"""Keeping credentials out of every message: errors, log lines and the URLs inside them."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any

_extra_secrets: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar("synapse_secrets", default=())


class Redactor:
    """Replaces a session's secrets, and values marked secret in the current context, with ``***``."""

    def __init__(self, secrets: tuple[str, ...]) -> None:
        self._secrets = secrets

    def redact(self, text: str) -> str:
        for secret in (*self._secrets, *_extra_secrets.get()):
            text = text.replace(secret, "***")
        return text

    def url(self, url: str, *, query: bool = True) -> str:
        """``url`` as it may be shown: no secrets, and without its query unless ``query``."""
        return self.redact(url if query else url.split("?", 1)[0])

    def redact_value(self, value: Any) -> Any:
        """``redact`` applied to every string inside a decoded JSON value (an error body may echo a header)."""
        if isinstance(value, str):
            return self.redact(value)
        if isinstance(value, list):
            return [self.redact_value(item) for item in value]
        if isinstance(value, dict):
            return {self.redact(str(key)): self.redact_value(item) for key, item in value.items()}
        return value

    @contextlib.contextmanager
    def extra(self, *values: str) -> Iterator[None]:
        """Treat ``values`` as secrets too inside the block (for every session: they are not ours to send)."""
        token = _extra_secrets.set((*_extra_secrets.get(), *(v for v in values if v)))
        try:
            yield
        finally:
            _extra_secrets.reset(token)
