"""Descriptors for relations between resources.

``BelongsTo`` is a foreign key: ``task.project_id`` is the int the server sent,
``task.project`` the object, taken from an expanded nested dict when the server sent one,
else fetched through the identity map (so 1,000 tasks of one project cost one GET).
``HasMany`` is the reverse side: ``project.tasks`` is a lazy :class:`~synapse.orm.queryset.QuerySet`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Generic, TypeVar, overload

from ..errors import InvalidInputError

if TYPE_CHECKING:
    from .queryset import QuerySet
    from .resource import Resource

T = TypeVar("T", bound="Resource")

_registry: dict[str, type[Resource]] = {}


def register(cls: type[Resource]) -> None:
    """Record a resource class so relations can name it before it is imported."""
    _registry[cls.__name__] = cls


def resolve(name: str | type[Resource]) -> type[Resource]:
    if not isinstance(name, str):
        return name
    try:
        return _registry[name]
    except KeyError:
        raise LookupError(f"unknown resource class {name!r}; is its module imported?") from None


def registered() -> dict[str, type[Resource]]:
    """Every resource family declared so far, by name."""
    return dict(_registry)


class BelongsTo(Generic[T]):
    """A foreign key. ``key`` is the field name on the wire, ``id_attr`` where the id is kept."""

    def __init__(self, target: str | type[T], *, key: str | None = None, id_attr: str | None = None) -> None:
        self.target = target
        self.key = key or ""
        self.id_attr = id_attr or ""
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        self.key = self.key or name
        self.id_attr = self.id_attr or f"{name}_id"

    @property
    def target_class(self) -> type[T]:
        return resolve(self.target)  # type: ignore[return-value]

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
        cached = obj._related.get(self.name)
        if cached is not None and cached.id == pk:
            return cached  # type: ignore[return-value]
        related = self.target_class.get(pk, session=obj._bound_session())
        obj._related[self.name] = related
        return related

    def __set__(self, obj: Resource, value: T | int | str | None) -> None:
        target = self.target_class
        if value is None:
            setattr(obj, self.id_attr, None)
            obj._related.pop(self.name, None)
        elif isinstance(value, target):
            if value.id is None:
                raise InvalidInputError(None, f"save the {target.__name__} before linking it as {self.name}")
            setattr(obj, self.id_attr, value.id)
            obj._related[self.name] = value
        elif isinstance(value, (int, str)) and not isinstance(value, bool):
            setattr(obj, self.id_attr, value)
            obj._related.pop(self.name, None)
        else:
            raise InvalidInputError(
                None, f"{self.name} must be a {target.__name__}, an id or None, not {type(value).__name__}"
            )


class HasMany(Generic[T]):
    """The reverse of a foreign key: a queryset of the objects pointing here."""

    def __init__(self, target: str | type[T], key: str, *, path: str | None = None) -> None:
        self.target = target
        self.key = key
        self.path = path
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, owner: type) -> HasMany[T]: ...

    @overload
    def __get__(self, obj: Resource, owner: type) -> QuerySet[T]: ...

    def __get__(self, obj: Resource | None, owner: type) -> HasMany[T] | QuerySet[T]:
        if obj is None:
            return self
        if obj.id is None:
            raise InvalidInputError(None, f"save the {type(obj).__name__} before listing its {self.name}")
        from .queryset import QuerySet

        target: type[T] = resolve(self.target)  # type: ignore[assignment]
        return QuerySet(target, session=obj._bound_session(), path=self.path).filter(**{self.key: obj.id})
