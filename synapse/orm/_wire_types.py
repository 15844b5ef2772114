"""Checking the types of known fields in server data before it becomes an object.

Objects from the server are built without pydantic validation (it dominates list iteration),
so a server sending ``{"id": "abc"}`` for a Task would otherwise produce a Task whose id is a
string, failing much later and far away. Only fields declared with plain JSON types (int, str,
float, bool, dict, list, optionally None) are checked; an ``isinstance`` per value keeps it cheap.
"""

from __future__ import annotations

import types
from typing import TYPE_CHECKING, Any, Union, get_args, get_origin

from ..errors import ResponseError

if TYPE_CHECKING:
    from .resource import Resource

_JSON_TYPES: dict[Any, tuple[type, ...]] = {
    int: (int,),
    str: (str,),
    float: (float, int),
    bool: (bool,),
    dict: (dict,),
    list: (list,),
    type(None): (type(None),),
}
_TABLES: dict[type[Any], dict[str, tuple[type, ...]]] = {}


def _accepted(annotation: Any) -> tuple[type, ...] | None:
    """The Python types a JSON value may have for this annotation, or None when it is not plain JSON."""
    members = get_args(annotation) if get_origin(annotation) in (Union, types.UnionType) else (annotation,)
    accepted: list[type] = []
    for member in members:
        plain = _JSON_TYPES.get(get_origin(member) or member)
        if plain is None:
            return None
        accepted.extend(plain)
    return tuple(accepted)


def _table(cls: type[Resource]) -> dict[str, tuple[type, ...]]:
    table = _TABLES.get(cls)
    if table is None:
        table = {}
        for name, info in cls.model_fields.items():
            accepted = _accepted(info.annotation)
            if accepted is not None and name not in cls.converters:
                table[name] = accepted
        _TABLES[cls] = table
    return table


def check_wire_types(cls: type[Resource], values: dict[str, Any]) -> None:
    """Raise ResponseError when a known field of server data has a type its declaration rules out."""
    table = _table(cls)
    for name, value in values.items():
        accepted = table.get(name)
        if accepted is None:
            continue
        if isinstance(value, accepted) and not (type(value) is bool and bool not in accepted):
            continue
        names = " or ".join(sorted({kind.__name__ for kind in accepted}))
        shown = repr(value)
        shown = shown if len(shown) <= 60 else shown[:60] + "..."
        raise ResponseError(
            None,
            f"the backend sent {cls.__name__}.{name} = {shown}, expected {names}; "
            "the server and this client disagree on the schema",
        )
