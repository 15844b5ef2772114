"""What a resource family declares: where it lives, how it is shown, what the backend can filter.

A family reads like a schema::

    class Task(Resource, path="tasks/", list_path="sdk/tasks/", repr=("project", "status"),
               filters=("project", "data_unit", "has_data", "is_discarded")):
        data: Any = None
        project: BelongsTo[Project] = BelongsTo("Project")

The class keywords become one frozen :class:`Declaration` at ``cls._meta``. Filters named by a
field or relation take their kind from its type (a relation filters by id, an enum by its
values, a bool by true/false); other parameters are spelled out with :class:`Filter`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

FilterKind = Literal["fk", "fk-multi", "choice", "multi-choice", "bool", "number", "number-in", "text", "datetime"]

PAGE_PARAMS = frozenset({"page", "page_size", "ordering", "expand", "fields", "url_host"})
"""Query parameters that shape the answer rather than filter it; never declared as filters."""


@dataclass(frozen=True)
class Filter:
    """One list filter the backend understands (a django-filter ``filterset_fields`` entry).

    ``target`` names the family a foreign-key filter points at, so objects can be passed;
    ``choices`` are the only values a choice filter accepts.
    """

    name: str
    kind: FilterKind
    choices: tuple[str, ...] = ()
    target: str | None = None

    @property
    def repeated(self) -> bool:
        """Whether several values are sent (as a repeated parameter or a comma-separated list)."""
        return self.kind in ("fk-multi", "multi-choice", "number-in")


@dataclass(frozen=True)
class Declaration:
    """Everything a family declares, collected from its class keywords and its body."""

    name: str
    path: str
    list_path: str
    repr_fields: tuple[str, ...] = ()
    read_only: frozenset[str] = frozenset()
    update_method: str = "PATCH"
    lookups: tuple[str, ...] = ()
    """Fields ``get()`` also accepts as the key (``Plugin.get("code")``); ``"code@version"``
    means a string id of that shape goes into the path percent-encoded except ``@``."""
    get_params: frozenset[str] = frozenset()
    """Extra query parameters a detail GET accepts (``with_configuration`` on storages)."""
    filters: dict[str, Filter] = field(default_factory=dict)
    orderings: frozenset[str] = frozenset()
    expansions: frozenset[str] = frozenset()

    @property
    def listable(self) -> bool:
        return bool(self.list_path)


def split_filters(entries: tuple[Any, ...]) -> tuple[tuple[str, ...], tuple[Filter, ...]]:
    """Filter declarations are field names (kind inferred later) or explicit :class:`Filter` objects."""
    names = tuple(entry for entry in entries if isinstance(entry, str))
    explicit = tuple(entry for entry in entries if isinstance(entry, Filter))
    unknown = [entry for entry in entries if not isinstance(entry, (str, Filter))]
    if unknown:
        raise TypeError(f"filters= takes field names and Filter objects, not {unknown!r}")
    return names, explicit
