"""How values are spelled on the wire and read back, independent of the HTTP library.

Query params, JSON bodies, ``Retry-After`` headers, multipart file tuples that must be
rewound before a retry, and short summaries of non-JSON error pages.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping
from typing import Any, Final

from ..errors import InvalidInputError

NO_BODY: Final = object()
"""Marks a call without ``json=`` (``None`` is a body: JSON ``null``)."""


def request_body(method: str, json_body: Any, data: Any, files: Any) -> tuple[Any, str | None]:
    """The body to send and its Content-Type; a bodiless POST/PUT/PATCH sends an empty JSON body,
    as the official client does."""
    if json_body is not NO_BODY:
        return encode_json(json_body), "application/json"
    if files is None and data is None and method in ("POST", "PUT", "PATCH"):
        return b"", "application/json"
    return data, None


def encode_json(value: Any) -> bytes:
    """The request body as bytes; an unserialisable value is the caller's error."""
    try:
        return json.dumps(value).encode()
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(None, f"request body is not JSON serialisable: {exc}") from None


def query_pairs(params: Mapping[str, Any] | None) -> list[tuple[str, Any]]:
    """Drop ``None`` values, repeat list values, spell bools the way the backend expects."""
    if not params:
        return []
    if not isinstance(params, Mapping):
        raise InvalidInputError(None, f"params must be a mapping, not {type(params).__name__}")
    query: list[tuple[str, Any]] = []
    for key, value in params.items():
        if value is None:
            continue
        values = value if isinstance(value, (list, tuple, set, frozenset)) else [value]
        for item in values:
            if isinstance(item, bool):
                item = "true" if item else "false"
            query.append((str(key), item))
    return query


def parse_retry_after(value: str | None) -> float | None:
    """``Retry-After`` as seconds, from either of its forms (seconds or an HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime  # only servers sending dates pay for the email package

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _file_contents(files: Any) -> Iterator[Any]:
    """The content objects of a ``requests``-style ``files`` argument (dict or list of tuples)."""
    items = files.values() if isinstance(files, Mapping) else files
    if isinstance(items, (bytes, str)):
        return
    for item in items:
        content = item[1] if isinstance(item, tuple) else item
        yield content[1] if isinstance(content, tuple) else content


def can_rewind(files: Any) -> bool:
    """True when every file part can be sent again (bytes, or a seekable file)."""
    return all(not hasattr(content, "read") or hasattr(content, "seek") for content in _file_contents(files))


def rewind(files: Any) -> None:
    """Seek every file part back to its start before a retry."""
    for content in _file_contents(files):
        seek = getattr(content, "seek", None)
        if seek is not None:
            seek(0)


def summarise_text(text: str, limit: int = 300) -> str:
    """A short readable form of a non-JSON error body (e.g. a proxy's HTML page)."""
    lowered = text.lower()
    start = lowered.find("<title>")
    if start != -1:
        end = lowered.find("</title>", start)
        if end != -1:
            return "non-JSON error page: " + text[start + 7 : end].strip()
    stripped = " ".join(text.split())
    return stripped[:limit] + ("..." if len(stripped) > limit else "")
