"""Keeping credentials out of every message: errors, log lines and the URLs inside them.

Secrets are the session's tokens, a password in the base URL, and values marked secret for a
block (a token in a URL path). URLs shown to people also lose their userinfo, and the query
string when it may be a presigned one (a file host's URL, any streamed URL).
"""

from __future__ import annotations

import contextlib
import contextvars
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

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
        """``url`` as it may be shown: no userinfo, no secrets, and without its query unless ``query``."""
        shown = without_userinfo(url)
        if not query:
            shown = shown.split("?", 1)[0]
        return self.redact(shown)

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


_QUERY = re.compile(r"(/[^\s?\"']*)\?[^\s\"']*")


def strip_queries(text: str) -> str:
    """``text`` with the query string of every URL or request path in it replaced by ``?...``.

    Presigned URLs carry their signature (and sometimes a token) in the query.
    """
    return _QUERY.sub(r"\1?...", text)


def without_userinfo(url: str) -> str:
    """``url`` with any ``user:password@`` replaced by ``***@``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc="***@" + parts.netloc.rpartition("@")[2]))


def userinfo_secrets(url: str) -> tuple[str, ...]:
    """The userinfo of ``url`` and its password, to be redacted wherever they appear."""
    netloc = urlsplit(url).netloc
    if "@" not in netloc:
        return ()
    userinfo = netloc.rpartition("@")[0]
    password = userinfo.partition(":")[2]
    return tuple(v for v in (userinfo, password) if v)
