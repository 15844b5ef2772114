"""Turning a family's class statement into a pydantic model plus its :class:`Declaration`.

The metaclass takes the class keywords (``path=``, ``filters=``...), declares the id fields of
relations (``project = BelongsTo(...)`` adds ``project_id``, spelled ``project`` on the wire),
keeps relation descriptors out of pydantic's fields, and after pydantic built the model puts a
change-tracking descriptor on every field that can hold a container.

It also shapes what a user sees at the prompt. ``help(Task)`` lists the family's fields (with
types), relations, filters and actions, written into the docstring from the declaration, so
the documentation cannot drift from what the code accepts; ``dir()`` of a class or an object
offers what a user can call, not pydantic's machinery (pydoc builds its listing from ``dir``).
"""

from __future__ import annotations

import datetime
import inspect
import types
from enum import Enum
from typing import TYPE_CHECKING, Any, Optional, Union, get_args, get_origin

from pydantic import BaseModel, Field
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
_PYDANTIC_API = ("model_dump", "model_dump_json")
"""The two pydantic methods users call on objects; the rest of pydantic's API stays out of ``dir``."""


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

    def __dir__(cls) -> list[str]:
        """Actions, relations and properties of the class (fields belong to its objects)."""
        return sorted(public_names(cls) - set(cls.model_fields))  # type: ignore[attr-defined]


def public_names(cls: type) -> set[str]:
    """Names a user calls: those of the family and its mixins, ``model_dump(_json)``, ``DoesNotExist``."""
    names = set(_PYDANTIC_API)
    for klass in cls.__mro__:
        if klass is BaseModel:
            break
        names.update(name for name in vars(klass) if not name.startswith(("_", "model_")))
    return names


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
    cls.__doc__ = _document(cls)


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


# -- what help() shows ---------------------------------------------------------------------------

_FILTER_VALUES = {
    "bool": "True or False",
    "number": "a number",
    "number-in": "a list of numbers",
    "text": "a string",
    "datetime": "a datetime or an ISO 8601 string",
}


def _document(cls: type[Resource]) -> str:
    """The family's own docstring, then its fields, relations, filters and actions."""
    meta = cls._meta
    relation_ids = {r.id_attr if isinstance(r, BelongsTo) else r.ids_attr for r in cls._relations.values()}
    fields = []
    for name, info in cls.model_fields.items():
        if name in relation_ids:
            continue
        notes = [f"sent as {info.alias!r}"] if info.alias and info.alias != name else []
        if name in meta.read_only:
            notes.append("read-only")
        notes += [f"one of {', '.join(_choices(m))}" for m in _members(info.annotation) if _is_enum(m)]
        fields.append(f"{name}: {_type_name(info.annotation)}" + (f" ({'; '.join(notes)})" if notes else ""))
    relations = [_relation_line(value) for value in _all(cls, _RELATIONS)]
    filters = [f"{spec.name}: {_filter_values(spec)}" for spec in meta.filters.values()]
    sections = [
        ("Fields", fields),
        ("Relations", relations),
        (f"Filters ({cls.__name__}.filter(...); others are refused before sending)", filters),
        ("Actions", _actions(cls)),
    ]
    text = inspect.cleandoc(cls.__doc__ or cls.__name__)
    for title, lines in sections:
        if lines:
            text += f"\n\n{title}:\n" + "\n".join(f"    {line}" for line in lines)
    return text + "\n\nAlso: get, filter, all, create, get_or_create, save, refresh, delete (see Resource)."


def _relation_line(relation: Any) -> str:
    target = getattr(relation.target, "__name__", relation.target)
    if isinstance(relation, BelongsTo):
        return f"{relation.name} -> {target} (its id: {relation.id_attr})"
    if isinstance(relation, ManyToMany):
        return f"{relation.name} -> list of {target} (their ids: {relation.ids_attr})"
    return f"{relation.name} -> QuerySet of {target} ({target}.filter({relation.key}=...))"


def _filter_values(spec: Filter) -> str:
    if spec.kind == "fk":
        return f"a {spec.target} or its id"
    if spec.kind == "fk-multi" or (spec.kind == "number-in" and spec.target):
        return f"a list of {spec.target} objects or ids"
    if spec.kind in ("choice", "multi-choice"):
        return ("one of " if spec.kind == "choice" else "a list of ") + ", ".join(spec.choices)
    return _FILTER_VALUES[spec.kind]


def _actions(cls: type[Resource]) -> list[str]:
    """Public methods and properties the family and its mixins add to the common Resource API."""
    from .resource import Resource

    lines: dict[str, str] = {}
    for klass in reversed(cls.__mro__[: cls.__mro__.index(Resource)]):
        for name, value in vars(klass).items():
            function = value.__func__ if isinstance(value, (classmethod, staticmethod)) else value
            if name.startswith("_") or not (inspect.isfunction(function) or isinstance(value, property)):
                continue
            doc = (inspect.getdoc(function) or "").partition("\n")[0]
            head = name if isinstance(value, property) else f"{name}({_parameters(function)})"
            lines[name] = f"{head}: {doc}" if doc else head
    return [lines[name] for name in sorted(lines)]


def _parameters(function: Any) -> str:
    """A call signature without annotations and without ``self``/``cls``: short enough for one line."""
    parameters = list(inspect.signature(function).parameters.values())
    if parameters and parameters[0].name in ("self", "cls"):
        parameters = parameters[1:]
    bare = [p.replace(annotation=inspect.Parameter.empty) for p in parameters]
    return str(inspect.Signature(bare))[1:-1]


def _is_enum(member: Any) -> bool:
    return isinstance(member, type) and issubclass(member, Enum)


def _choices(enum: type[Enum]) -> list[str]:
    return [str(member.value) for member in enum]


def _type_name(annotation: Any) -> str:
    """``int | None``, ``dict[str, Any]``, ``JobStatus``: how the type reads in code."""
    if annotation is type(None):
        return "None"
    if annotation is Any:
        return "Any"
    if annotation is Ellipsis:
        return "..."
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        return " | ".join(_type_name(arg) for arg in get_args(annotation))
    if origin is not None:
        name = getattr(origin, "__name__", str(origin))
        args = get_args(annotation)
        return f"{name}[{', '.join(_type_name(arg) for arg in args)}]" if args else name
    return annotation.__name__ if isinstance(annotation, type) else str(annotation).replace("typing.", "")
