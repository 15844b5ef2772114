"""Relations between families, declared once in the class body.

* :class:`BelongsTo` is a foreign key. ``project = BelongsTo("Project")`` on Task declares the
  field ``project_id`` (the id; on the wire and in ``model_dump()``/``values()`` it is
  ``project``) and makes ``task.project`` the object: taken from an expanded answer when the
  server sent one, else fetched through the identity map, so 1,000 tasks of one project cost
  one GET.
* :class:`ManyToMany` is a list of ids on the wire (``tags: [3, 4]``): ``task.tag_ids`` is the
  list, ``task.tags`` the objects.
* :class:`HasMany` is the reverse side: ``project.tasks`` is a lazy queryset.

Targets are named by family (``"Project"``) and resolved through the registry of declared
families: a class registers when it declares ``path=``, so a user's ``class MyProject(Project)``
never replaces the family a relation points at.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from ..errors import InvalidInputError
from ._state import state_of

if TYPE_CHECKING:
    from .queryset import QuerySet
    from .resource import Resource

T = TypeVar("T", bound="Resource")

_families: dict[str, type[Resource]] = {}


def register(cls: type[Resource]) -> None:
    """Record a family (a class that declares its own ``path=``)."""
    _families[cls.__name__] = cls


@overload
def resolve(target: str) -> type[Resource]: ...


@overload
def resolve(target: type[T]) -> type[T]: ...


def resolve(target: str | type[T]) -> type[T] | type[Resource]:
    """The declared family a relation names."""
    if not isinstance(target, str):
        return target
    try:
        found = _families[target]
    except KeyError:
        raise LookupError(f"no resource family {target!r} is declared; is its module imported?") from None
    return found


def registered() -> dict[str, type[Resource]]:
    """Every declared family, by name."""
    return dict(_families)


class BelongsTo(Generic[T]):
    """A foreign key. ``key`` is its name on the wire, ``id_attr`` the field holding the id."""

    def __init__(self, target: str | type[T], *, key: str | None = None, id_type: Any = int) -> None:
        self.target = target
        self.key = key or ""
        self.id_type = id_type
        self.name = ""
        self.id_attr = ""

    def __set_name__(self, owner: type | None, name: str) -> None:
        self.name = name
        self.key = self.key or name
        self.id_attr = f"{name}_id"

    @property
    def target_class(self) -> type[T]:
        return resolve(self.target)  # type: ignore[return-value]  # a name resolves to the declared T

    @overload
    def __get__(self, obj: None, owner: type) -> BelongsTo[T]: ...

    @overload
    def __get__(self, obj: Resource, owner: type) -> T | None: ...

    def __get__(self, obj: Resource | None, owner: type) -> BelongsTo[T] | T | None:
        if obj is None:
            return self
        pk = getattr(obj, self.id_attr)
        if pk is None:
            return None
        related_now = state_of(obj).related
        cached = related_now.get(self.name) if related_now else None
        if cached is not None and cached.__dict__.get("id") == pk:
            return cached  # type: ignore[return-value]
        related: T = self.target_class.get(pk, session=obj._bound_session())
        obj._relate(self.name, related)
        return related

    def __set__(self, obj: Resource, value: T | int | str | None) -> None:
        target = self.target_class
        if value is None:
            setattr(obj, self.id_attr, None)
            obj._relate(self.name, None)
        elif isinstance(value, target):
            if value.id is None:
                raise InvalidInputError(None, f"save the {target.__name__} before linking it as {self.name}")
            setattr(obj, self.id_attr, value.id)
            obj._relate(self.name, value)
        elif isinstance(value, (int, str)) and not isinstance(value, bool):
            setattr(obj, self.id_attr, value)
            obj._relate(self.name, None)
        else:
            raise InvalidInputError(
                None, f"{self.name} must be a {target.__name__}, an id or None, not {type(value).__name__}"
            )


class ManyToMany(Generic[T]):
    """A list of ids on the wire: ``<name>_ids`` keeps the ids (singular stem, e.g. ``tag_ids``)."""

    def __init__(self, target: str | type[T], *, key: str | None = None, ids_attr: str | None = None) -> None:
        self.target = target
        self.key = key or ""
        self.ids_attr = ids_attr or ""
        self.name = ""

    def __set_name__(self, owner: type | None, name: str) -> None:
        self.name = name
        self.key = self.key or name
        self.ids_attr = self.ids_attr or f"{name.removesuffix('s')}_ids"

    @property
    def target_class(self) -> type[T]:
        return resolve(self.target)  # type: ignore[return-value]  # a name resolves to the declared T

    @overload
    def __get__(self, obj: None, owner: type) -> ManyToMany[T]: ...

    @overload
    def __get__(self, obj: Resource, owner: type) -> list[T]: ...

    def __get__(self, obj: Resource | None, owner: type) -> ManyToMany[T] | list[T]:
        if obj is None:
            return self
        ids = getattr(obj, self.ids_attr) or []
        found = self.target_class.using(obj._bound_session()).in_bulk(ids)
        return [found[pk] for pk in ids if pk in found]


class HasMany(Generic[T]):
    """The reverse of a foreign key: a queryset of the objects pointing here."""

    def __init__(self, target: str | type[T], key: str) -> None:
        self.target = target
        self.key = key
        self.name = ""

    def __set_name__(self, owner: type | None, name: str) -> None:
        self.name = name

    @property
    def target_class(self) -> type[T]:
        return resolve(self.target)  # type: ignore[return-value]  # a name resolves to the declared T

    @overload
    def __get__(self, obj: None, owner: type) -> HasMany[T]: ...

    @overload
    def __get__(self, obj: Resource, owner: type) -> QuerySet[T]: ...

    def __get__(self, obj: Resource | None, owner: type) -> HasMany[T] | QuerySet[T]:
        if obj is None:
            return self
        if obj.id is None:
            raise InvalidInputError(None, f"save the {type(obj).__name__} before listing its {self.name}")
        return self.target_class.using(obj._bound_session()).filter(**{self.key: obj.id})
