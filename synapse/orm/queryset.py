"""Lazy, immutable querysets over a family's list endpoint.

A :class:`QuerySet` is a frozen description of a list request: chaining (``filter``,
``exclude``, ``expand``, ``order_by``, ``only``, ``page_size``, ``using``, ``values``...)
returns a new one and sends nothing, and it holds no results, so it can be shared between
threads and pickled (without its session). The evaluation points are iteration, ``list()``,
``len()`` and ``count()`` (the server's count), ``bool()``/``exists()``, indexing and slicing,
``first()``, ``last()``, ``get()``, ``in``, ``in_bulk()``, ``repr()``, and the frames and partitions
(``to_pandas()``, ``to_arrow()``, ``iter_batches()``, ``partitions()``); each is documented in
``docs/querysets.md`` with the requests it sends.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar, overload

from ..errors import InvalidInputError, MultipleObjectsReturned
from ..transport.defaults import get_session
from ..transport.session import Session
from ..transport.spec import SessionSpec
from . import _evaluate
from .filters import EMPTY, check_filters, check_names, negate
from .pagination import DEFAULT_PREFETCH, MAX_PAGE_SIZE

if TYPE_CHECKING:
    from .partitions import Partition
    from .resource import Resource

R = TypeVar("R", bound="Resource")
Mode = Literal["objects", "values", "values_list"]

REPR_LIMIT = 20


@dataclass(frozen=True, eq=False)
class QuerySet(Generic[R]):
    """A description of a list request; evaluated only when its results are needed."""

    model: type[R]
    bound: Session | None = None
    filters: tuple[tuple[str, Any], ...] = ()
    raw_params: tuple[tuple[str, Any], ...] = ()
    ordering: tuple[str, ...] = ()
    expansions: tuple[str, ...] = ()
    loaded_fields: tuple[str, ...] = ()
    size: int | None = None
    window: int = DEFAULT_PREFETCH
    mode: Mode = "objects"
    columns: tuple[str, ...] = ()
    flat: bool = False
    empty: bool = False
    strict_count: bool = False

    # -- chaining ---------------------------------------------------------------------------

    def filter(self, **params: Any) -> QuerySet[R]:
        """Narrow by the family's declared filters (checked now; objects stand for their ids)."""
        checked = check_filters(self.model, params)
        merged = dict(self.filters)
        merged.update(checked)
        return self._replace(filters=tuple(merged.items()), empty=self.empty or EMPTY in checked.values())

    def exclude(self, **params: Any) -> QuerySet[R]:
        """The opposite of ``filter``, where the backend can express it (true/false filters); else an error."""
        return self.filter(**negate(self.model, params))

    def with_params(self, **params: Any) -> QuerySet[R]:
        """Send these query parameters as given, unchecked: for backend filters this client does not
        declare yet. The backend ignores names it does not know, so a typo here matches everything."""
        return self._replace(raw_params=(*self.raw_params, *params.items()))

    def expand(self, *names: str) -> QuerySet[R]:
        """Ask the server to nest these related objects (no extra request when they are read)."""
        checked = check_names(self.model, names, "expansion", self.model._meta.expansions)
        return self._replace(expansions=tuple(dict.fromkeys((*self.expansions, *checked))))

    def order_by(self, *names: str) -> QuerySet[R]:
        """Order by these fields (``-name`` descending); unknown names raise instead of being ignored."""
        return self._replace(ordering=check_names(self.model, names, "ordering", self.model._meta.orderings))

    def only(self, *names: str) -> QuerySet[R]:
        """Ask for these fields only (``fields=``); the objects know they are partial and refuse to read others."""
        valid = frozenset(info.alias or name for name, info in self.model.model_fields.items())
        checked = check_names(self.model, names, "field", valid)
        return self._replace(loaded_fields=tuple(dict.fromkeys(("id", *checked))))

    def page_size(self, size: int) -> QuerySet[R]:
        """How many items to ask per page. The server may serve fewer (its cap); walks use what it serves."""
        if not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= MAX_PAGE_SIZE:
            raise InvalidInputError(None, f"page_size must be an int from 1 to {MAX_PAGE_SIZE}, got {size!r}")
        return self._replace(size=size)

    def prefetch(self, pages: int) -> QuerySet[R]:
        """How many pages may be in flight while iterating (1 = strictly sequential)."""
        if not isinstance(pages, int) or isinstance(pages, bool) or pages < 1:
            raise InvalidInputError(None, f"prefetch must be a positive int, got {pages!r}")
        return self._replace(window=pages)

    def strict(self) -> QuerySet[R]:
        """Raise instead of warning when the listing changes during a walk (see ``docs/querysets.md``)."""
        return self._replace(strict_count=True)

    def using(self, session: Session) -> QuerySet[R]:
        return self._replace(bound=session)

    def values(self) -> QuerySet[Any]:
        """Yield plain dicts as the server sent them (keys as on the wire, ``project`` not ``project_id``)."""
        return self._replace(mode="values")

    def values_list(self, *names: str, flat: bool = False) -> QuerySet[Any]:
        """Yield tuples of these fields (or single values with ``flat=True`` and one field)."""
        valid = frozenset(info.alias or name for name, info in self.model.model_fields.items())
        columns = check_names(self.model, names, "field", valid) if names else tuple(sorted(valid))
        if flat and len(columns) != 1:
            raise InvalidInputError(None, "values_list(flat=True) takes exactly one field")
        return self._replace(mode="values_list", columns=columns, flat=flat)

    def _replace(self, **changes: Any) -> QuerySet[R]:
        return dataclasses.replace(self, **changes)

    # -- evaluation -------------------------------------------------------------------------

    @property
    def session(self) -> Session:
        return self.bound or get_session()

    def params(self) -> dict[str, Any]:
        """The query parameters this queryset sends (besides ``page``/``page_size``)."""
        params: dict[str, Any] = dict(self.filters)
        params.update(self.raw_params)
        if self.ordering:
            params["ordering"] = ",".join(self.ordering)
        if self.expansions:
            params["expand"] = ",".join(self.expansions)
        if self.loaded_fields:
            params["fields"] = ",".join(self.loaded_fields)
        return params

    def __iter__(self) -> Iterator[R]:
        if self.empty:
            return iter(())
        return _evaluate.iterate(self)

    def count(self) -> int:
        """The server's count: one request for a one-item page."""
        return 0 if self.empty else _evaluate.page(self, 1, 1).count

    def __len__(self) -> int:
        """The server's count (one small request; ``list(qs)`` therefore sends it before walking)."""
        return self.count()

    def exists(self) -> bool:
        return self.count() > 0

    def __bool__(self) -> bool:
        return self.exists()

    def first(self) -> R | None:
        """The first item (in this queryset's order), or None: one request."""
        items = self[0:1]
        return items[0] if items else None

    def last(self) -> R | None:
        """The last item of an ordered queryset: one request, with the ordering reversed."""
        if not self.ordering:
            raise InvalidInputError(None, "last() needs an ordering: call order_by(...) first")
        reverse = tuple(name[1:] if name.startswith("-") else f"-{name}" for name in self.ordering)
        return self._replace(ordering=reverse).first()

    def get(self, **lookups: Any) -> R:
        """Exactly one object, else ``DoesNotExist`` / ``MultipleObjectsReturned``: one request."""
        if set(lookups) in ({"id"}, {"pk"}) and not self.filters and not self.raw_params:
            return self.model.get(next(iter(lookups.values())), session=self.bound)
        query = self.filter(**lookups) if lookups else self
        if query.empty:
            raise self.model.DoesNotExist(404, f"no {self.model.__name__} matches {dict(query.filters)}")
        page = _evaluate.page(query, 1, 2)
        if not page.results:
            raise self.model.DoesNotExist(404, f"no {self.model.__name__} matches {query.params()}")
        if page.count > 1 or len(page.results) > 1:
            raise MultipleObjectsReturned(
                None, f"{page.count} {self.model.__name__} objects match {query.params()}; expected one"
            )
        found: R = page.results[0]
        return found

    def get_or_create(self, defaults: dict[str, Any] | None = None, **lookups: Any) -> tuple[R, bool]:
        """``(object, created)``. Not atomic: another client may create the same object meanwhile."""
        try:
            return self.get(**lookups), False
        except self.model.DoesNotExist:
            fields = {**lookups, **(defaults or {})}
            return self.model.create(session=self.bound, **fields), True

    @overload
    def __getitem__(self, key: int) -> R: ...

    @overload
    def __getitem__(self, key: slice) -> list[R]: ...

    def __getitem__(self, key: int | slice) -> R | list[R]:
        if isinstance(key, bool) or not isinstance(key, (int, slice)):
            raise InvalidInputError(None, f"querysets are indexed by int or slice, not {type(key).__name__}")
        if isinstance(key, int):
            if key < 0:
                raise InvalidInputError(None, "negative indexing is not supported; use count() to find the end")
            items = self[key : key + 1]
            if not items:
                raise IndexError(f"{self.model.__name__} queryset index {key} out of range")
            return items[0]
        start, stop, step = key.start or 0, key.stop, key.step
        if step not in (None, 1) or start < 0 or (stop is not None and stop < 0):
            raise InvalidInputError(None, "slices must be non-negative with step 1")
        if self.empty or (stop is not None and stop <= start):
            return []
        return _evaluate.slice_items(self, start, stop)

    def __contains__(self, item: object) -> bool:
        """Whether ``item`` is in the listing: walks page by page and stops at the first match."""
        return _evaluate.contains(self, item)

    def in_bulk(self, ids: Iterable[Any]) -> dict[Any, R]:
        """Objects by id: fresh cached ones cost nothing, the rest come in few requests."""
        return _evaluate.in_bulk(self, ids)

    def __repr__(self) -> str:
        items = self[0 : REPR_LIMIT + 1]
        shown = ", ".join(repr(item) for item in items[:REPR_LIMIT])
        if len(items) > REPR_LIMIT:
            shown += ", ...(remaining elements truncated)..."
        return f"<QuerySet [{shown}]>"

    def _repr_html_(self) -> str:
        """A small table of the first rows for notebooks (one request, as ``repr``)."""
        return _evaluate.html_table(self, REPR_LIMIT)

    # -- frames and partitions (synapse.orm.frames, synapse.orm.partitions) -------------------

    def to_pandas(self, columns: Sequence[str] | None = None) -> Any:
        """A pandas DataFrame of the listing, typed from the declared fields, built page by page (extra ``pandas``)."""
        from .frames import to_pandas

        return to_pandas(self, columns)

    def to_arrow(self, columns: Sequence[str] | None = None) -> Any:
        """An Arrow table of the listing, typed from the declared fields, built page by page (extra ``arrow``)."""
        from .frames import to_arrow

        return to_arrow(self, columns)

    def iter_batches(
        self, size: int = 10_000, *, columns: Sequence[str] | None = None, format: Literal["arrow", "pandas"] = "arrow"
    ) -> Generator[Any, None, None]:
        """Arrow record batches (or DataFrames) of ``size`` rows: listings larger than memory, streamed."""
        from .frames import iter_batches

        return iter_batches(self, size, columns, format)

    def partitions(self, n: int, *, session_spec: SessionSpec | None = None) -> list[Partition[R]]:
        """``n`` picklable querysets that together yield every item once, for other processes or machines
        (one request plans them). Elsewhere they use that process's session, or ``session_spec``."""
        from .partitions import plan

        return plan(self, n, session_spec)

    def describe(self) -> str:
        """The request this queryset stands for, without sending it."""
        params = self.params()
        if self.size is not None:
            params["page_size"] = self.size
        query = "&".join(f"{k}={v}" for k, v in params.items())
        return f"GET {self.model._meta.list_path}" + (f"?{query}" if query else "")

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickles carry the description only: no session, no credentials (workers use their own)."""
        fields = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "bound"}
        return (_rebuild, (fields,))


def _rebuild(fields: dict[str, Any]) -> QuerySet[Any]:
    return QuerySet(**fields)


__all__ = ["QuerySet"]
