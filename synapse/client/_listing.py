"""``list_all=True`` for the BackendClient: page 1 now, later pages lazily.

The official client returns ``(generator, count)`` and fetches the first page at call
time so the count is known; we do the same on top of :mod:`synapse.orm.pagination`. The
opt-in per-page switches (retries, throttle, ``page_failures``) and a per-call read
timeout need pages one at a time, so with any of them the walk follows ``next``
sequentially (``pagination.follow_next`` with a fetch hook) instead of prefetching.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ..errors import APIConnectionError, HTTPError, ResponseError
from ..orm.pagination import DEFAULT_PAGE_SIZE, follow_next, walk_pages, with_page
from ..transfers.url_conversion import convert_urls
from ..transport.envelope import Page, parse_page
from ..transport.session import Session
from ..transport.settings import Timeouts

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
    policy = _PagePolicy(session, page_retries, page_retry_backoff, throttle_seconds, page_failures, timeout)
    first = policy.fetch(path, query)
    pages: Iterator[Page]
    if page_retries or throttle_seconds or page_failures is not None or timeout is not None:
        pages = itertools.chain([first], follow_next(session, first, fetch=lambda url: policy.later(url, first)))
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


class _PagePolicy:
    """The official client's opt-in per-page options: retries, throttle, recorded failures."""

    def __init__(
        self,
        session: Session,
        retries: int,
        backoff: float,
        throttle: float,
        failures: list[dict[str, Any]] | None,
        timeout: Timeouts | None,
    ) -> None:
        self.session = session
        self.retries = retries
        self.retry = dataclasses.replace(session.retry, max_retries=retries, backoff_factor=backoff)
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
            self.retry.pause(attempt)
            self.session.close()
            attempt += 1

    def later(self, url: str, first: Page) -> Page:
        """A page after the first: throttled, and with ``page_failures`` a failed page is
        recorded and skipped for the next page number (an empty page ends the walk)."""
        while True:
            if self.throttle:
                self.retry.sleep(self.throttle)
            try:
                return self.fetch(url)
            except _PAGE_ERRORS as error:
                if self.failures is None:
                    raise
                number = _page_number(url)
                self.failures.append({"page": number, "url": url, "error": str(error)})
                following = _page_after(url, number, first)
                if following is None:
                    return Page([], first.count, None, url)
                url = following


def _page_number(url: str) -> int | None:
    value = dict(parse_qsl(urlsplit(url).query)).get("page")
    return int(value) if value is not None and value.isdigit() else None


def _page_after(url: str, number: int | None, first: Page) -> str | None:
    """The URL of the page after a failed one, or None when it has no ``page`` or was the last."""
    size_text = dict(parse_qsl(urlsplit(url).query)).get("page_size", "")
    size = int(size_text) if size_text.isdigit() and int(size_text) > 0 else len(first.results)
    if number is None or not size or number + 1 > math.ceil(first.count / size):
        return None
    return with_page(url, number + 1)
