"""``list_all=True`` for the BackendClient: page 1 now, later pages lazily.

The official client returns ``(generator, count)`` and fetches the first page at call
time so the count is known; we do the same on top of :mod:`synapse.pagination`. The
opt-in per-page switches (retries, throttle, ``page_failures``) and a per-call read
timeout need pages one at a time, so with any of them the walk follows ``next``
sequentially instead of prefetching.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .config import Timeouts
from .errors import APIConnectionError, HTTPError, ResponseError
from .pagination import DEFAULT_PAGE_SIZE, Page, parse_page, walk_pages
from .session import Session
from .url_conversion import convert_urls

_PAGE_ERRORS = (HTTPError, APIConnectionError, ResponseError)


def list_all(
    session: Session,
    path: str,
    params: Mapping[str, Any] | None,
    *,
    url_conversion: Mapping[str, Any] | None = None,
    page_retries: int = 0,
    page_retry_backoff: float = 2.0,
    throttle_seconds: float = 0.0,
    page_failures: list[dict[str, Any]] | None = None,
    timeout: Timeouts | None = None,
) -> tuple[Iterator[Any], int]:
    """Fetch page 1 (adding ``page_size`` unless given) and return ``(items, count)``.

    With ``page_failures`` (a list), a later page that still fails after its retries is
    recorded as ``{page, url, error}`` (``error`` is the message) and the walk goes on with
    the following page number; page 1 always raises, since without it there is no count.
    """
    query = dict(params or {})
    query.setdefault("page_size", DEFAULT_PAGE_SIZE)
    walk = _Walk(session, page_retries, page_retry_backoff, throttle_seconds, page_failures, timeout)
    first = walk.fetch(path, query)
    if page_retries or throttle_seconds or page_failures is not None or timeout is not None:
        pages = walk.follow(first)
    else:
        pages = walk_pages(session, path, query, first=first)
    return _items(session, pages, url_conversion), first.count


def _items(session: Session, pages: Iterator[Page], url_conversion: Mapping[str, Any] | None) -> Iterator[Any]:
    for page in pages:
        if url_conversion:
            envelope = {"count": page.count, "next": page.next, "results": page.results}
            yield from convert_urls(session, envelope, dict(url_conversion))["results"]
        else:
            yield from page.results


class _Walk:
    """A sequential walk with the official client's per-page options."""

    def __init__(
        self, session: Session, retries: int, backoff: float, throttle: float,
        failures: list[dict[str, Any]] | None, timeout: Timeouts | None,
    ) -> None:
        self.session = session
        self.retries = retries
        self.backoff = backoff
        self.throttle = throttle
        self.failures = failures
        self.timeout = timeout

    def fetch(self, url: str, params: Mapping[str, Any] | None = None) -> Page:
        """One page, retried ``retries`` extra times on any failure (the official opt-in)."""
        attempt = 0
        while True:
            try:
                body = self.session.request("GET", url, params=params, timeout=self.timeout)
                return parse_page(body, self.session.url(url))
            except _PAGE_ERRORS:
                if attempt >= self.retries:
                    raise
            time.sleep(min(self.backoff * 2**attempt, 30.0))
            self.session.close()
            attempt += 1

    def follow(self, first: Page) -> Iterator[Page]:
        """Follow ``next`` one page at a time, refusing loops and other hosts."""
        seen = {first.url}
        yield first
        following = first.next if first.results else None
        while following is not None:
            url = self.session.url(following)
            if not self.session.is_own_url(url) or url in seen:
                raise ResponseError(None, f"refusing to follow 'next' to {url}: it loops or leaves the backend")
            seen.add(url)
            if self.throttle:
                time.sleep(self.throttle)
            try:
                page = self.fetch(url)
            except _PAGE_ERRORS as error:
                if self.failures is None:
                    raise
                self.failures.append({"page": _page_number(url), "url": url, "error": str(error)})
                following = _page_after(url, first)
                continue
            yield page
            following = page.next if page.results else None


def _page_number(url: str) -> int | None:
    value = dict(parse_qsl(urlsplit(url).query)).get("page")
    return int(value) if value is not None and value.isdigit() else None


def _page_after(url: str, first: Page) -> str | None:
    """The URL of the page after a failed one, or None when it has no ``page`` or was the last."""
    number = _page_number(url)
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    size_text = dict(query).get("page_size", "")
    size = int(size_text) if size_text.isdigit() and int(size_text) > 0 else len(first.results)
    if number is None or not size or number + 1 > math.ceil(first.count / size):
        return None
    replaced = [(key, str(number + 1) if key == "page" else value) for key, value in query]
    return urlunsplit(parts._replace(query=urlencode(replaced)))
