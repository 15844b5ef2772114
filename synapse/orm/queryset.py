"""Lazy, immutable querysets over a resource's list endpoint.

Chaining (``filter``, ``expand``, ``order_by``, ``page_size``, ``using``) returns a new
queryset and sends nothing. The evaluation points are iteration, ``list()``, ``len()``
(the server's count), ``bool()``, indexing and slicing, ``count()``, ``first()``, ``get()``,
``exists()``, ``in_bulk()`` and ``repr()``. Iteration holds one page at a time.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from ..errors import InvalidInputError, MultipleObjectsReturned, NotFoundError
from ..transport.envelope import Page
from ..transport.paths import check_id
from ..transport.session import Session, get_session
from .identity import identity_map
from .pagination import DEFAULT_PREFETCH, MAX_PAGE_SIZE, fetch_page, iter_results

if TYPE_CHECKING:
    from .resource import Resource

R = TypeVar("R", bound="Resource")

REPR_LIMIT = 20
IN_BULK_BATCH = 100


class QuerySet(Generic[R]):
    """A description of a list request; evaluated only when its results are needed."""

    def __init__(
        self,
        model: type[R],
        *,
        session: Session | None = None,
        path: str | None = None,
        params: dict[str, Any] | None = None,
        page_size: int | None = None,
        prefetch: int = DEFAULT_PREFETCH,
        as_values: bool = False,
    ) -> None:
        self.model = model
        self._session = session
        self._path = path or model.api_list_path or model.api_path
        self._params: dict[str, Any] = dict(params or {})
        self._page_size = page_size
        self._prefetch = prefetch
        self._as_values = as_values
        self._handoff = threading.local()

    # -- chaining -------------------------------------------------------------------------

    def _clone(self, **changes: Any) -> QuerySet[R]:
        spec: dict[str, Any] = {
            "session": self._session,
            "path": self._path,
            "params": dict(self._params),
            "page_size": self._page_size,
            "prefetch": self._prefetch,
            "as_values": self._as_values,
        }
        spec.update(changes)
        return QuerySet(self.model, **spec)

    def filter(self, **params: Any) -> QuerySet[R]:
        """Narrow by server-side query params; objects are replaced by their ids."""
        merged = dict(self._params)
        for key, value in params.items():
            merged[key] = _param_value(value)
        return self._clone(params=merged)

    def expand(self, *fields: str) -> QuerySet[R]:
        """Ask the server to nest these related objects (no extra request on access)."""
        current = [f for f in str(self._params.get("expand", "")).split(",") if f]
        merged = current + [f for f in fields if f not in current]
        return self._clone(params={**self._params, "expand": ",".join(merged)})

    def order_by(self, *fields: str) -> QuerySet[R]:
        return self._clone(params={**self._params, "ordering": ",".join(fields)})

    def page_size(self, size: int) -> QuerySet[R]:
        if not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= MAX_PAGE_SIZE:
            raise InvalidInputError(None, f"page_size must be an int from 1 to {MAX_PAGE_SIZE}, got {size!r}")
        return self._clone(page_size=size)

    def prefetch(self, pages: int) -> QuerySet[R]:
        """How many pages may be in flight while iterating (1 = strictly sequential)."""
        if not isinstance(pages, int) or pages < 1:
            raise InvalidInputError(None, f"prefetch must be a positive int, got {pages!r}")
        return self._clone(prefetch=pages)

    def using(self, session: Session) -> QuerySet[R]:
        return self._clone(session=session)

    def values(self) -> QuerySet[Any]:
        """Yield plain dicts as the server sent them: no model building, fastest."""
        return self._clone(as_values=True)

    # -- evaluation -------------------------------------------------------------------------

    @property
    def session(self) -> Session:
        return self._session or get_session()

    def _query(self, **extra: Any) -> dict[str, Any]:
        params = dict(self._params)
        if self._page_size is not None:
            params["page_size"] = self._page_size
        params.update(extra)
        return params

    def _build(self, item: Any, session: Session) -> Any:
        return item if self._as_values else self.model._from_server(item, session)

    def __iter__(self) -> Iterator[R]:
        session = self.session
        first: Page | None = getattr(self._handoff, "page", None)
        self._handoff.page = None
        for item in iter_results(session, self._path, self._query(), prefetch=self._prefetch, first=first):
            yield self._build(item, session)

    def _page(self, number: int, size: int) -> Page:
        return fetch_page(self.session, self._path, self._query(page=number, page_size=size))

    def count(self) -> int:
        """The server's count, from one request for a one-item page."""
        return self._page(1, 1).count

    def __len__(self) -> int:
        """The server's count, read from the first page of the results.

        ``list(qs)`` calls ``len()`` and then iterates; the page is handed to the next
        iteration in the same thread, so the length costs no extra request and the items
        match the count. Other threads sharing the queryset never see it.
        """
        page = fetch_page(self.session, self._path, self._query())
        self._handoff.page = page
        return page.count

    def exists(self) -> bool:
        return self.count() > 0

    def __bool__(self) -> bool:
        return self.exists()

    def first(self) -> R | None:
        page = self._page(1, 1)
        return cast(R, self._build(page.results[0], self.session)) if page.results else None

    def get(self, **filters: Any) -> R:
        """Exactly one object, else ``DoesNotExist`` / ``MultipleObjectsReturned``."""
        keys = set(filters)
        if keys in ({"id"}, {"pk"}) and not self._params:
            return self.model.get(filters.popitem()[1], session=self._session)
        query = self.filter(**filters) if filters else self
        page = query._page(1, 2)
        if not page.results:
            raise self.model.DoesNotExist(404, f"no {self.model.__name__} matches {query._params}")
        if page.count > 1 or len(page.results) > 1:
            raise MultipleObjectsReturned(
                None, f"{page.count} {self.model.__name__} objects match {query._params}; expected one"
            )
        return cast(R, self._build(page.results[0], self.session))

    def __getitem__(self, key: int | slice) -> Any:
        if isinstance(key, bool) or not isinstance(key, (int, slice)):
            raise InvalidInputError(None, f"querysets are indexed by int or slice, not {type(key).__name__}")
        if isinstance(key, int):
            if key < 0:
                raise InvalidInputError(None, "negative indexing is not supported; use count() to find the end")
            items = self._slice(key, key + 1)
            if not items:
                raise IndexError(f"{self.model.__name__} queryset index {key} out of range")
            return items[0]
        start, stop, step = key.start or 0, key.stop, key.step
        if step not in (None, 1) or start < 0 or (stop is not None and stop < 0):
            raise InvalidInputError(None, "slices must be non-negative with step 1")
        if stop is None:
            return list(self)[start:] if start == 0 else self._slice_open(start)
        return self._slice(start, stop)

    def _slice(self, start: int, stop: int) -> list[Any]:
        """Items [start, stop), fetching only the pages that hold them."""
        if stop <= start:
            return []
        size = self._page_size or min(stop - start, MAX_PAGE_SIZE)
        session = self.session
        items: list[Any] = []
        number = start // size + 1
        offset = start - (number - 1) * size
        while len(items) < stop - start:
            try:
                page = self._page(number, size)
            except NotFoundError:
                if number == 1:
                    raise
                break  # DRF answers 404 "Invalid page" past the end: the slice is just shorter
            chunk = page.results[offset:]
            items.extend(chunk[: stop - start - len(items)])
            if page.next is None or not page.results:
                break
            number += 1
            offset = 0
        return [self._build(item, session) for item in items]

    def _slice_open(self, start: int) -> list[Any]:
        total = self.count()
        return self._slice(start, total) if start < total else []

    def in_bulk(self, ids: Iterable[Any]) -> dict[Any, R]:
        """Objects by id; fresh cached ones cost nothing, the rest come in few requests."""
        session = self.session
        wanted = [check_id(pk, f"{self.model.__name__} id") for pk in dict.fromkeys(ids)]
        found: dict[Any, R] = {}
        missing = []
        for pk in wanted:
            cached = identity_map(session).fresh(self.model, pk)
            if cached is not None:
                found[pk] = cached
            else:
                missing.append(pk)
        for start in range(0, len(missing), IN_BULK_BATCH):
            batch = missing[start : start + IN_BULK_BATCH]
            query = self.filter(id__in=",".join(str(pk) for pk in batch)).page_size(len(batch))
            wanted_ids = set(batch)
            ignored = False
            for obj in query:
                if obj.id in wanted_ids:
                    found[obj.id] = obj
                else:
                    ignored = True
            if ignored:
                # The server ignored ``id__in`` (it is not in the published contract): the
                # page held other objects, so look the rest of this batch up one by one.
                for pk in batch:
                    if pk not in found:
                        with contextlib.suppress(NotFoundError):
                            found[pk] = self.model.get(pk, session=session)
        return found

    def __repr__(self) -> str:
        items = self._slice(0, REPR_LIMIT + 1)
        shown = ", ".join(repr(item) for item in items[:REPR_LIMIT])
        if len(items) > REPR_LIMIT:
            shown += ", ...(remaining elements truncated)..."
        return f"<QuerySet [{shown}]>"

    def describe(self) -> str:
        """The request this queryset stands for, without sending it."""
        params = self._query()
        query = "&".join(f"{k}={v}" for k, v in params.items())
        return f"GET {self._path}" + (f"?{query}" if query else "")


def _param_value(value: Any) -> Any:
    """Resources become their ids; lists are kept (sent as repeated params)."""
    from .resource import Resource

    if isinstance(value, Resource):
        return value.id
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_param_value(v) for v in value]
    return value


__all__ = ["QuerySet"]
