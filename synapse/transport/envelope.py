"""The one reader of the backend's answer envelopes: list pages and the replies of bulk creates.

The backend pages like DRF (``{"count", "next", "previous", "results"}``); some endpoints answer
a bare list instead, and bulk creates answer a list, a ``{"results": [...]}`` page or one object.
Everything that reads such an answer goes through here, so a malformed one fails the same way
everywhere: with :class:`~synapse.errors.ResponseError`, never a ``KeyError``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import ResponseError


@dataclass(frozen=True)
class Page:
    """One decoded page: its items, the server's total count, the next page's URL and its own URL."""

    results: list[Any]
    count: int
    next: str | None
    url: str


def parse_page(body: Any, url: str) -> Page:
    """Validate a list answer. A bare JSON list is taken as a single, final page."""
    if isinstance(body, list):
        return Page(body, len(body), None, url)
    if not isinstance(body, dict) or not isinstance(body.get("results"), list):
        raise ResponseError(None, f"expected a page with a 'results' list from {url}, got {describe_shape(body)}")
    count = body.get("count")
    if count is None:
        count = len(body["results"])
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        raise ResponseError(None, f"the page from {url} has an invalid 'count': {count!r}")
    following = body.get("next")
    if following is not None and not isinstance(following, str):
        raise ResponseError(None, f"the page from {url} has an invalid 'next': {following!r}")
    return Page(body["results"], count, following or None, url)


def created_items(reply: Any, what: str) -> list[dict[str, Any]]:
    """The objects a bulk POST created: a list, a ``{"results": [...]}`` page or one object."""
    if isinstance(reply, list):
        items = reply
    elif isinstance(reply, dict) and isinstance(reply.get("results"), list):
        items = reply["results"]
    elif isinstance(reply, dict) and "id" in reply:
        items = [reply]
    else:
        raise ResponseError(None, f"expected the created {what} (a list or an object), got {describe_shape(reply)}")
    if not all(isinstance(item, dict) for item in items):
        raise ResponseError(None, f"expected the created {what} as JSON objects")
    return items


def list_items(reply: Any, what: str) -> list[Any]:
    """The items of an answer that may be a page or a bare list (console logs, lookups)."""
    if isinstance(reply, list):
        return reply
    if isinstance(reply, dict) and isinstance(reply.get("results"), list):
        items: list[Any] = reply["results"]
        return items
    raise ResponseError(None, f"{what} must answer with a list or a page, got {describe_shape(reply)}")


def describe_shape(body: Any) -> str:
    """A short description of an unexpected answer, for error messages."""
    if isinstance(body, dict):
        return f"an object with keys {sorted(body)[:10]}"
    return type(body).__name__
