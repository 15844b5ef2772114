"""``list_all=True`` for the BackendClient: page 1 now, later pages lazily.

The official client returns ``(generator, count)`` and fetches the first page at call
time so the count is known; we do the same on top of :mod:`synapse.pagination`. The
opt-in per-page retry and throttle switches need pages one at a time, so with them the
walk follows ``next`` sequentially instead of prefetching.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from typing import Any

from .errors import APIConnectionError, HTTPError, ResponseError
from .pagination import DEFAULT_PAGE_SIZE, Page, fetch_page, walk_pages
from .session import Session
from .url_conversion import convert_urls


def list_all(
    session: Session,
    path: str,
    params: Mapping[str, Any] | None,
    *,
    url_conversion: Mapping[str, Any] | None = None,
    page_retries: int = 0,
    page_retry_backoff: float = 2.0,
    throttle_seconds: float = 0.0,
) -> tuple[Iterator[Any], int]:
    """Fetch page 1 (adding ``page_size`` unless given) and return ``(items, count)``."""
    query = dict(params or {})
    query.setdefault("page_size", DEFAULT_PAGE_SIZE)
    first = _fetch(session, path, query, page_retries, page_retry_backoff)
    if page_retries or throttle_seconds:
        pages = _follow(session, first, page_retries, page_retry_backoff, throttle_seconds)
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


def _fetch(session: Session, url: str, params: Mapping[str, Any] | None, retries: int, backoff: float) -> Page:
    """One page, retried ``retries`` extra times on any failure (the official opt-in)."""
    attempt = 0
    while True:
        try:
            return fetch_page(session, url, params)
        except (HTTPError, APIConnectionError, ResponseError):
            if attempt >= retries:
                raise
        time.sleep(min(backoff * 2**attempt, 30.0))
        session.close()
        attempt += 1


def _follow(session: Session, first: Page, retries: int, backoff: float, throttle: float) -> Iterator[Page]:
    """Follow ``next`` one page at a time, refusing loops and other hosts."""
    page = first
    seen = {first.url}
    yield page
    while page.next is not None and page.results:
        url = session.url(page.next)
        if not session.is_own_url(url) or url in seen:
            raise ResponseError(None, f"refusing to follow 'next' from {page.url}: it loops or leaves the backend")
        seen.add(url)
        if throttle:
            time.sleep(throttle)
        page = _fetch(session, url, None, retries, backoff)
        yield page
