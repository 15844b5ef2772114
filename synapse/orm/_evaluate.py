"""Evaluating a queryset: the requests behind iteration, slices, ``in``, ``in_bulk`` and tables.

Slices are planned from the page size the server actually serves: the first answer tells it
(a page shorter than asked for, with more to come, reveals the server's cap), the cap is
remembered per session and list path, and a slice inside one server page costs one request.
"""

from __future__ import annotations

import html
import time
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import pydantic_core

from ..errors import NotFoundError, ResponseError
from ..transport.envelope import Page, parse_page
from ..transport.paths import check_id
from ._build import build_page
from ._gc import HOLD_LIMIT, Hold, collector_paused
from .identity import identity_map
from .pagination import MAX_PAGE_SIZE, Fetch, Fetcher, page_url, walk

if TYPE_CHECKING:
    from ..transport.session import Session
    from .queryset import QuerySet

IN_BULK_BATCH = 100
_SIZE_SEARCH = 2000


class _PageFetcher:
    """Pages of ``qs``: downloaded on any thread, built in the queryset's mode where they are consumed."""

    def __init__(self, qs: QuerySet[Any], *, hold: bool = False) -> None:
        self.qs = qs
        self.hold = hold
        self._held: Hold | None = None
        self._since = 0.0
        self.session = qs.session
        self.identity = identity_map(self.session) if qs.mode == "objects" else None
        self.plain = not qs.expansions and not qs.loaded_fields

    def download(self, target: str, params: Mapping[str, Any] | None) -> tuple[int, bytes, str]:
        clock = self.identity.clock() if self.identity is not None else 0
        body = self.session.request("GET", target, params=params, raw=True)
        return clock, body, page_url(self.session, target, params)

    def build(self, raw: tuple[int, bytes, str]) -> Page:
        clock, body, url = raw
        if self.hold:
            # The collector stays paused while pages follow each other quickly: a new hold starts
            # before the previous one ends, so rows the caller already dropped are never scanned.
            # Every HOLD_LIMIT seconds the chain is cut and one collection runs.
            now = time.monotonic()
            previous = self._held
            if previous is None or now - self._since >= HOLD_LIMIT:
                self.release()
                self._since, previous = now, None
            self._held = Hold()
            if previous is not None:
                previous.release()
        qs = self.qs
        if qs.mode == "objects":
            return build_page(qs.model, body, url, self.session, clock, plain=self.plain)
        try:
            with collector_paused():
                decoded = pydantic_core.from_json(body) if body else None
            page = parse_page(decoded, url)
        except ValueError:
            raise ResponseError(None, f"the page from {url} is not valid JSON") from None
        if qs.mode == "values_list":
            return Page([_row(qs, item) for item in page.results], page.count, page.next, page.url)
        return page

    def release(self) -> None:
        """End the pause held since the last page was built (if any)."""
        held, self._held = self._held, None
        if held is not None:
            held.release()

    def __call__(self, target: str, params: Mapping[str, Any] | None) -> Page:
        return self.build(self.download(target, params))


def fetcher(qs: QuerySet[Any]) -> _PageFetcher:
    """GET pages for ``qs`` and build their results in the queryset's mode (objects, dicts, tuples)."""
    return _PageFetcher(qs)


def _row(qs: QuerySet[Any], item: Any) -> Any:
    if not isinstance(item, dict):
        raise ResponseError(None, f"expected {qs.model.__name__} objects in the page, got {type(item).__name__}")
    if qs.flat:
        return item.get(qs.columns[0])
    return tuple(item.get(column) for column in qs.columns)


def _query(qs: QuerySet[Any], **extra: Any) -> dict[str, Any]:
    params = qs.params()
    if qs.size is not None:
        params["page_size"] = qs.size
    params.update(extra)
    return params


def pages(qs: QuerySet[Any], fetch: Fetch | Fetcher | None = None) -> Iterator[Page]:
    """Every page of the listing, checked by the walker (``fetch`` builds them; by default in the queryset's mode)."""
    return walk(
        qs.session,
        fetch or fetcher(qs),
        qs.model._meta.list_path,
        _query(qs),
        prefetch=qs.window,
        strict=qs.strict_count,
    )


def iterate(qs: QuerySet[Any]) -> Iterator[Any]:
    """Every item; the collector stays paused while a page is gone through (see ``_gc.Hold``)."""
    fetch = _PageFetcher(qs, hold=True)
    try:
        for page in pages(qs, fetch):
            yield from page.results
    finally:
        fetch.release()


def page(qs: QuerySet[Any], number: int, size: int) -> Page:
    """Page ``number`` at ``size`` items (the server may serve fewer per page)."""
    return fetcher(qs)(qs.model._meta.list_path, _query(qs, page=number, page_size=size))


class _Caps(dict[str, int]):
    """The page-size caps the server revealed, by list path (learned once per session)."""

    def expire_all(self) -> None:
        self.clear()


def _caps(session: Session) -> dict[str, int]:
    caps: _Caps = session.cache("page_caps", lambda _session: _Caps())
    return caps


def _fitting_size(start: int, stop: int) -> int:
    """The smallest page size at which items ``[start, stop)`` sit on one page (within the cap)."""
    want = stop - start
    if want >= MAX_PAGE_SIZE:
        return MAX_PAGE_SIZE
    for size in range(want, min(stop, MAX_PAGE_SIZE, want + _SIZE_SEARCH) + 1):
        if start // size == (stop - 1) // size:
            return size
    return want


def slice_items(qs: QuerySet[Any], start: int, stop: int | None) -> list[Any]:
    """Items ``[start, stop)``, fetching only the pages that hold them."""
    if stop is None:
        stop = qs.count()
        if start >= stop:
            return []
    caps = _caps(qs.session)
    path = qs.model._meta.list_path
    size = min(qs.size or _fitting_size(start, stop), caps.get(path, MAX_PAGE_SIZE))
    number = start // size + 1
    try:
        first = page(qs, number, size)
    except NotFoundError:
        if number > 1 and qs.count() <= start:
            return []  # DRF answers 404 "Invalid page." past the end: the slice is empty
        raise
    if first.next is not None and len(first.results) < size:
        # the server capped the page: page ``number`` holds ``served`` items, and so will every page
        size = caps[path] = len(first.results)
    pages = {number: first}
    stop = min(stop, first.count)
    items: list[Any] = []
    for number in range(start // size + 1, (stop - 1) // size + 2):
        current = pages.get(number)
        if current is None:
            try:
                current = page(qs, number, size)
            except NotFoundError:
                break  # the listing shrank meanwhile: the slice is what exists
        offset = start - (number - 1) * size if number == start // size + 1 else 0
        wanted = stop - start - len(items)
        items.extend(current.results[offset : offset + wanted])
        if current.next is None:
            break
    return items


def contains(qs: QuerySet[Any], item: object) -> bool:
    """Walk page by page (nothing fetched ahead) and stop at the first match."""
    if not isinstance(item, qs.model) or item.id is None or qs.mode != "objects":
        return False
    pages = walk(qs.session, fetcher(qs), qs.model._meta.list_path, _query(qs), prefetch=1)
    return any(any(obj is item or obj == item for obj in page.results) for page in pages)


def in_bulk(qs: QuerySet[Any], ids: Iterable[Any]) -> dict[Any, Any]:
    """Fresh cached objects, then ``id__in`` batches; a server that ignores ``id__in`` is noticed
    on its first page (it answers other ids or a larger count) and the rest are fetched one by one."""
    model = qs.model
    session = qs.session
    identity = identity_map(session)
    wanted = [check_id(pk, f"{model.__name__} id") for pk in dict.fromkeys(ids)]
    found: dict[Any, Any] = {}
    missing = []
    for pk in wanted:
        cached = identity.fresh(model, pk)
        if cached is not None:
            found[pk] = cached
        else:
            missing.append(pk)
    declared = "id__in" in model._meta.filters
    for begin in range(0, len(missing), IN_BULK_BATCH):
        batch = missing[begin : begin + IN_BULK_BATCH]
        text = ",".join(str(pk) for pk in batch)
        query = qs.filter(id__in=batch) if declared else qs.with_params(id__in=text)
        query = query.prefetch(1).page_size(len(batch))
        honoured = True
        for current in walk(session, fetcher(query), model._meta.list_path, _query(query), prefetch=1):
            if current.count > len(batch) or any(obj.id not in set(batch) for obj in current.results):
                honoured = False
                break
            found.update((obj.id, obj) for obj in current.results)
        if not honoured:
            for pk in batch:
                if pk not in found:
                    try:
                        found[pk] = model.get(pk, session=session)
                    except NotFoundError:
                        continue
    return found


def html_table(qs: QuerySet[Any], limit: int) -> str:
    """The first ``limit`` rows as an HTML table (one request)."""
    rows = qs[0 : limit + 1]
    if qs.mode == "objects":
        columns = ["id", *qs.model._meta.repr_fields]
        cells = []
        for row in rows[:limit]:
            shown = dict(row._shown())
            cells.append([_cell(row.id), *(_cell(shown.get(name)) for name in columns[1:])])
    elif qs.mode == "values":
        columns = sorted({key for row in rows[:limit] for key in row})
        cells = [[_cell(row.get(name)) for name in columns] for row in rows[:limit]]
    else:
        columns = list(qs.columns)
        cells = [[_cell(row)] if qs.flat else [_cell(value) for value in row] for row in rows[:limit]]
    head = "".join(f"<th>{html.escape(name)}</th>" for name in columns)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in cells)
    more = f"<p>first {limit} shown</p>" if len(rows) > limit else ""
    caption = html.escape(f"{qs.model.__name__} {qs.describe()}")
    return f"<table><caption>{caption}</caption><tr>{head}</tr>{body}</table>{more}"


def _cell(value: Any, limit: int = 60) -> str:
    text = str(getattr(value, "value", value)) if value is not None else ""
    return html.escape(text if len(text) <= limit else text[: limit - 3] + "...")
