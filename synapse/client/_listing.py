"""``list_all=True`` for the BackendClient: page 1 now, later pages lazily, every item once.

The official client returns ``(generator, count)`` and fetches the first page at call time so
the count is known; we do the same with :func:`synapse.orm.pagination.walk`, which checks the
walk against that count. The official client's opt-in per-page switches (``page_retries``,
``throttle_seconds``, ``page_failures``) need pages one at a time, so with any of them the walk
follows ``next`` sequentially. ``page_failures`` is the one way a listing may come back short:
the caller asked for it, and every skipped page is in that list.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ..errors import APIConnectionError, HTTPError, ResponseError
from ..orm.pagination import (
    DEFAULT_PAGE_SIZE,
    DEFAULT_PREFETCH,
    Tally,
    follow,
    page_url,
    settle,
    walk,
    with_page,
)
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
    if page_retries or throttle_seconds or page_failures is not None:
        pages = policy.pages(first)
    else:
        pages = walk(session, policy.fetch, path, query, prefetch=DEFAULT_PREFETCH, first=first)
    return _items(session, pages, url_conversion), first.count


def _items(session: Session, pages: Iterator[Page], url_conversion: Mapping[str, Any] | None) -> Iterator[Any]:
    for page in pages:
        if url_conversion:
            envelope = {"count": page.count, "next": page.next, "results": page.results}
            from ..transfers.url_conversion import convert_urls

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
                return parse_page(body, page_url(self.session, url, params))
            except _PAGE_ERRORS:
                if attempt >= self.retries:
                    raise
            self.retry.pause(attempt)
            self.session.close()
            attempt += 1

    def pages(self, first: Page) -> Iterator[Page]:
        """The pages after ``first``, one at a time; with ``page_failures`` a failed page is recorded
        and skipped. The items must add up to the count unless a page was skipped that way."""
        yield first
        tally = Tally(first.count, len(first.results), last_url=first.url)
        yield from follow(self.session, lambda url, _params: self.later(url, first), first, tally)
        if not self.failures:
            settle(tally, strict=False)

    def later(self, url: str, first: Page) -> Page:
        """A page after the first: throttled; a failed one recorded and replaced by the page after it
        (by the size the server served), or by an empty last page."""
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
                following = _page_after(url, number, len(first.results), first.count)
                if following is None:
                    return Page([], first.count, None, url)
                url = following


def _page_number(url: str) -> int | None:
    value = dict(parse_qsl(urlsplit(url).query)).get("page")
    return int(value) if value is not None and value.isdigit() else None


def _page_after(url: str, number: int | None, size: int, count: int) -> str | None:
    """The URL of the page after a failed one (by the size the server served), or None after the last."""
    if number is None or not size or number + 1 > math.ceil(count / size):
        return None
    return with_page(url, number + 1)
