"""Turning a family's class statement into a pydantic model plus its :class:`Declaration`.

The metaclass takes the class keywords (``path=``, ``filters=``...), declares the id fields of
relations (``project = BelongsTo(...)`` adds ``project_id``, spelled ``project`` on the wire),
keeps relation descriptors out of pydantic's fields, and after pydantic built the model puts a
change-tracking descriptor on every field that can hold a container.
"""

from __future__ import annotations

import datetime
import types
from enum import Enum
from typing import TYPE_CHECKING, Any, Optional, Union, get_args, get_origin

from pydantic import Field
from pydantic._internal._model_construction import ModelMetaclass

from ..errors import NotFoundError
from ._state import Tracked
from .declare import PAGE_PARAMS, Declaration, Filter, split_filters
from .relations import BelongsTo, HasMany, ManyToMany, register

if TYPE_CHECKING:
    from .resource import Resource

_KEYWORDS = (
    "path",
    "list_path",
    "repr",
    "read_only",
    "update_method",
    "lookups",
    "get_params",
    "filters",
    "expand",
)
_COMMON_READ_ONLY = frozenset({"id", "created", "modified", "created_at", "updated_at", "completed_at", "completed"})
_RELATIONS = (BelongsTo, ManyToMany, HasMany)


class ResourceMeta(ModelMetaclass):
    """Metaclass of :class:`~synapse.orm.resource.Resource`: class keywords become ``cls._meta``."""

    def __new__(mcs, name: str, bases: tuple[type, ...], namespace: dict[str, Any], **kwargs: Any) -> type:
        declared = {key: kwargs.pop(key) for key in _KEYWORDS if key in kwargs}
        annotations = dict(namespace.get("__annotations__", {}))
        for attr, value in list(namespace.items()):
            if not isinstance(value, _RELATIONS):
                continue
            annotations.pop(attr, None)
            value.__set_name__(None, attr)  # names are needed now, before type.__new__ calls it
            if isinstance(value, BelongsTo):
                annotations[value.id_attr] = Optional[value.id_type]  # noqa: UP045 - a runtime type
                namespace[value.id_attr] = Field(None, alias=value.key)
            elif isinstance(value, ManyToMany):
                annotations[value.ids_attr] = Optional[list[int]]  # noqa: UP045
                namespace[value.ids_attr] = Field(None, alias=value.key)
        namespace["__annotations__"] = annotations
        cls = super().__new__(mcs, name, bases, namespace, **kwargs)
        _declare(cls, declared)
        return cls


def _declare(cls: type[Resource], declared: dict[str, Any]) -> None:
    parent: Declaration | None = getattr(cls, "_meta", None)
    cls._relations = {value.key: value for value in _all(cls, (BelongsTo, ManyToMany))}
    cls._alias_to_field = {info.alias: name for name, info in cls.model_fields.items() if info.alias}
    for name, info in cls.model_fields.items():
        if name not in vars(cls) and _may_hold_container(info.annotation):
            setattr(cls, name, Tracked(name, info))
    cls.DoesNotExist = type(
        "DoesNotExist",
        (NotFoundError,),
        {
            "__module__": cls.__module__,
            "__qualname__": f"{cls.__qualname__}.DoesNotExist",
            "__doc__": f"No {cls.__name__} matched.",
        },
    )
    if "path" not in declared:
        cls._meta = parent or Declaration(cls.__name__, "", "", read_only=_COMMON_READ_ONLY)
        return
    path = declared["path"]
    relations = cls._relations
    names, explicit = split_filters(tuple(declared.get("filters", ())))
    filters = {f.name: f for f in (_infer_filter(cls, name, relations) for name in names)}
    filters.update({f.name: f for f in explicit})
    overlap = PAGE_PARAMS & set(filters)
    if overlap:
        raise TypeError(f"{cls.__name__}: {sorted(overlap)} shape pages and cannot be filters")
    wire_names = {
        info.alias or name for name, info in cls.model_fields.items() if not _may_hold_container(info.annotation)
    }
    cls._meta = Declaration(
        name=cls.__name__,
        path=path,
        list_path=declared.get("list_path", path),
        repr_fields=tuple(declared.get("repr", ())),
        read_only=_COMMON_READ_ONLY | frozenset(declared.get("read_only", ())),
        update_method=declared.get("update_method", "PATCH"),
        lookups=tuple(declared.get("lookups", ())),
        get_params=frozenset(declared.get("get_params", ())),
        filters=filters,
        orderings=frozenset(wire_names),
        expansions=frozenset(relations) | frozenset(declared.get("expand", ())),
    )
    register(cls)


def _all(cls: type, kinds: tuple[type, ...]) -> list[Any]:
    found: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        for attr, value in vars(klass).items():
            if isinstance(value, kinds):
                found[attr] = value
    return list(found.values())


def _infer_filter(cls: type[Resource], name: str, relations: dict[str, Any]) -> Filter:
    """The kind of a filter named after a field or relation, from its declared type."""
    relation = relations.get(name)
    if isinstance(relation, BelongsTo):
        return Filter(name, "fk", target=str(getattr(relation.target, "__name__", relation.target)))
    if isinstance(relation, ManyToMany):
        return Filter(name, "number-in", target=str(getattr(relation.target, "__name__", relation.target)))
    info = cls.model_fields.get(name)
    if info is None:
        raise TypeError(f"{cls.__name__}: filter {name!r} names no field; declare it with Filter(...)")
    members = [m for m in _members(info.annotation) if m is not type(None)]
    if any(isinstance(m, type) and issubclass(m, Enum) for m in members):
        enum = next(m for m in members if isinstance(m, type) and issubclass(m, Enum))
        return Filter(name, "choice", choices=tuple(str(member.value) for member in enum))
    if bool in members:
        return Filter(name, "bool")
    if int in members:
        return Filter(name, "number")
    if datetime.datetime in members:
        return Filter(name, "datetime")
    if str in members:
        return Filter(name, "text")
    raise TypeError(f"{cls.__name__}: cannot tell the filter kind of {name!r}; declare it with Filter(...)")


def _members(annotation: Any) -> tuple[Any, ...]:
    if get_origin(annotation) in (Union, types.UnionType):
        return get_args(annotation)
    return (annotation,)


def _may_hold_container(annotation: Any) -> bool:
    """Whether values of this field can be lists, dicts or models (edited in place by users)."""
    for member in _members(annotation):
        origin = get_origin(member) or member
        if (
            member is Any
            or origin in (list, dict, set, tuple)
            or (
                isinstance(origin, type)
                and not issubclass(origin, (str, int, float, bool, Enum, datetime.date))
                and origin is not type(None)
            )
        ):
            return True
    return False
