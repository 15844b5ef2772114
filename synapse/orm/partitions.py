"""Splitting a listing into partitions that other processes or machines read, each item exactly once.

``qs.partitions(n)`` asks the server for one page first, at the page size the queryset would
use (1000 unless set): that answer gives the count and, when the page came back shorter than
asked with more to follow, the server's page-size cap. The listing's pages *at the size the
server actually serves* are then cut into ``n`` contiguous windows. A :class:`Partition` is a
queryset fixed to one window: it asks exactly its page numbers at exactly that size, and
checks every page against the plan (the count, the page's length, whether more follow). So
the partitions together yield every item once while the listing stays as it was when planned.

If the listing changes meanwhile, page boundaries move and items can be missed or read twice.
A partition that sees another count says so, as a walk does: :class:`ListingChangedWarning`,
or :class:`IncompleteListingError` for ``strict()`` querysets. A page that disagrees with the
plan while the count did not change (another page size, a page missing) always raises. A change
that keeps the count (one item deleted, another added) cannot be seen from the pages, as with
any page-numbered listing. Without an ``order_by()``, partitions order by id, so that every page
request sees the same order.

Partitions pickle without a session. Iterated elsewhere, they use that process's
``synapse.get_session()`` (its ``SYNAPSE_*`` variables), or the :class:`SessionSpec` given to
``partitions()``, which names where the token is found, never the token.
"""

from __future__ import annotations

import dataclasses
import html
import math
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, NoReturn, TypeVar

from ..errors import IncompleteListingError, InvalidInputError, ListingChangedWarning, NotFoundError, ResponseError
from ..transport.context import ahead
from ..transport.defaults import get_session
from ..transport.envelope import Page
from ..transport.session import Session
from ..transport.spec import SessionSpec
from . import _evaluate
from .pagination import MAX_PAGE_SIZE, Fetch
from .queryset import QuerySet
from .resource import Resource

R = TypeVar("R", bound=Resource)


@dataclass(frozen=True, eq=False)
class Partition(QuerySet[R]):
    """The pages ``pages[0]`` up to (not including) ``pages[1]`` of a listing planned at ``total`` items
    and ``size`` items per page. Iterate it, or make a frame of it; it refuses what would read other pages."""

    pages: tuple[int, int] = (1, 1)
    total: int = 0
    session_spec: SessionSpec | None = None

    @property
    def session(self) -> Session:
        if self.bound is not None:
            return self.bound
        return self.session_spec.session() if self.session_spec is not None else get_session()

    @property
    def offset(self) -> int:
        """The position of this partition's first item in the whole listing."""
        return (self.pages[0] - 1) * (self.size or 0)

    def __iter__(self) -> Iterator[R]:
        return (item for page in window_pages(self, _evaluate.fetcher(self)) for item in page.results)

    def count(self) -> int:
        """How many items the plan puts in this partition (no request)."""
        size = self.size or 0
        return max(0, min(self.total, (self.pages[1] - 1) * size) - self.offset)

    def __contains__(self, item: object) -> bool:
        if not isinstance(item, self.model) or item.id is None or self.mode != "objects":
            return False
        return any(obj is item or obj == item for obj in self)

    def __repr__(self) -> str:
        first, stop = self.pages
        shown = f"pages {first}..{stop - 1}" if stop > first else "no pages"
        return f"<Partition {shown} ({self.size} per page), {self.count()} of {self.total} items: {self.describe()}>"

    def _repr_html_(self) -> str:
        return f"<p>{html.escape(repr(self))}</p>"

    def __dask_tokenize__(self) -> tuple[Any, ...]:
        """What tells partitions apart for engines that name work by its inputs (dask): the description
        and the plan, and which session object it is bound to (a session itself cannot be hashed)."""
        fields = tuple(repr(getattr(self, f.name)) for f in dataclasses.fields(self) if f.name != "bound")
        return (type(self).__name__, fields, id(self.bound) if self.bound is not None else None)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickles carry the plan and the spec: no session, no credentials."""
        fields = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "bound"}
        return (_rebuild, (fields,))

    # What would read other pages than the planned ones is refused.

    def _refuse(self, what: str) -> NoReturn:
        raise InvalidInputError(
            None, f"{what} would change which items a partition holds; apply it before partitions()"
        )

    def filter(self, **params: Any) -> NoReturn:
        self._refuse("filter()")

    def exclude(self, **params: Any) -> NoReturn:
        self._refuse("exclude()")

    def with_params(self, **params: Any) -> NoReturn:
        self._refuse("with_params()")

    def order_by(self, *names: str) -> NoReturn:
        self._refuse("order_by()")

    def page_size(self, size: int) -> NoReturn:
        self._refuse("page_size()")

    def partitions(self, n: int, *, session_spec: SessionSpec | None = None) -> NoReturn:
        self._refuse("partitions()")

    def _whole(self) -> NoReturn:
        raise InvalidInputError(None, "a partition is read whole: iterate it, or use the queryset it came from")

    def __getitem__(self, key: Any) -> NoReturn:
        self._whole()

    def first(self) -> NoReturn:
        self._whole()

    def last(self) -> NoReturn:
        self._whole()

    def get(self, **lookups: Any) -> NoReturn:
        self._whole()

    def get_or_create(self, defaults: dict[str, Any] | None = None, **lookups: Any) -> NoReturn:
        self._whole()

    def in_bulk(self, ids: Any) -> NoReturn:
        self._whole()


def _rebuild(fields: dict[str, Any]) -> Partition[Any]:
    return Partition(**fields)


def plan(qs: QuerySet[R], n: int, session_spec: SessionSpec | None = None) -> list[Partition[R]]:
    """``n`` partitions of ``qs`` (some empty when the listing has fewer pages): one request."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise InvalidInputError(None, f"the number of partitions must be a positive int, got {n!r}")
    if session_spec is not None and not isinstance(session_spec, SessionSpec):
        raise InvalidInputError(None, f"session_spec must be a SessionSpec, not {type(session_spec).__name__}")
    ordered = qs if qs.ordering else qs.order_by("id")
    size = qs.size or MAX_PAGE_SIZE
    total, pages = 0, 1
    if not qs.empty:
        probe = _evaluate.page(ordered.values().only("id"), 1, size)
        total = probe.count
        if probe.next is not None:
            if not probe.results:
                raise ResponseError(None, f"the page {probe.url} is empty but points 'next' at {probe.next}")
            size = len(probe.results)  # what the server serves, below our ask when it caps pages
        pages = max(1, math.ceil(total / size))
    fields = {f.name: getattr(ordered, f.name) for f in dataclasses.fields(QuerySet) if f.name != "size"}
    whole = Partition(**fields, pages=(1, pages + 1), size=size, total=total, session_spec=session_spec)
    return split(whole, n)


def split(whole: Partition[R], n: int) -> list[Partition[R]]:
    """Cut a partition's pages into ``n`` contiguous windows (as even as can be; no request)."""
    first, stop = whole.pages
    bounds = [first + (stop - first) * i // n for i in range(n + 1)]
    return [dataclasses.replace(whole, pages=(bounds[i], bounds[i + 1])) for i in range(n)]


def window_pages(part: Partition[Any], fetch: Fetch) -> Iterator[Page]:
    """The partition's pages in order, a few in flight, each checked against the plan."""
    first, stop = part.pages
    if part.empty or stop <= first:
        return
    size, total = part.size or MAX_PAGE_SIZE, part.total
    last = max(1, math.ceil(total / size))
    path = part.model._meta.list_path
    params = part.params()
    warned = False

    def get(number: int) -> Page:
        return fetch(path, {**params, "page": number, "page_size": size})

    for number, page in _prefetched(get, range(first, stop), part.window):
        if page.count != total:
            detail = (
                f"the listing changed since its partitions were planned: {total} items then, "
                f"{page.count} at page {number}; items may be missing or read twice"
            )
            if part.strict_count:
                raise IncompleteListingError(detail, expected=total, got=page.count, url=page.url)
            if not warned:
                warnings.warn(detail + ". Plan the partitions again", ListingChangedWarning, stacklevel=3)
                warned = True
        else:
            wanted = size if number < last else total - (last - 1) * size
            if len(page.results) != wanted or (page.next is None) != (number == last):
                raise IncompleteListingError(
                    f"page {number} of {last} held {len(page.results)} items"
                    f"{' and pointed further' if page.next is not None and number == last else ''}; "
                    f"the plan expects {wanted} per its {total} items at {size} per page",
                    expected=wanted,
                    got=len(page.results),
                    url=page.url,
                )
        yield page


def _prefetched(get: Callable[[int], Page], numbers: range, window: int) -> Iterator[tuple[int, Page]]:
    """``get(number)`` for each number, in order, with up to ``window`` requests in flight."""
    for number, future in ahead(get, numbers, window, "synapse-partition"):
        try:
            page = future.result()
        except NotFoundError as exc:
            raise IncompleteListingError(
                f"page {number} answered 404 ({exc.detail}): the listing shrank since its partitions were planned",
                expected=numbers.stop - numbers.start,
                got=number - numbers.start,
                url=exc.url,
            ) from exc
        yield number, page
