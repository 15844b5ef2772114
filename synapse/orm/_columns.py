"""Frame columns from a family's declarations: one typed column per declared field.

A column is named as on the wire (``project``, not ``project_id``: the names ``values()`` uses)
and gets a kind from the field's declared type: integers (ids and foreign keys included),
floats, booleans, text (str enums included), date-times, lists of ints or of strings, and
JSON for everything else (dicts, ``Any``, nested models, unions). The kind decides the pandas
and Arrow types (see ``synapse.orm.frames``) and which raw JSON values fit the column.
"""

from __future__ import annotations

import datetime
import types
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any, Literal, Union, get_args, get_origin

from ..errors import InvalidInputError

if TYPE_CHECKING:
    from .resource import Resource

Kind = Literal["int", "float", "bool", "str", "datetime", "int_list", "str_list", "json"]

_NONE = type(None)
ACCEPTS: dict[Kind, frozenset[type]] = {
    "int": frozenset({int, _NONE}),
    "float": frozenset({float, int, _NONE}),
    "bool": frozenset({bool, _NONE}),
    "str": frozenset({str, _NONE}),
    "datetime": frozenset({str, _NONE}),
    "int_list": frozenset({list, _NONE}),
    "str_list": frozenset({list, _NONE}),
}
"""The JSON value types each kind takes (``bool`` is not an ``int`` here: ``type(True) is bool``).
JSON columns take anything."""


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind


def kind_of(annotation: Any) -> Kind:
    """The column kind of a declared field type (``X | None`` counts as ``X``)."""
    members = get_args(annotation) if get_origin(annotation) in (Union, types.UnionType) else (annotation,)
    present = [member for member in members if member is not _NONE]
    if len(present) != 1:
        return "json"
    [member] = present
    if get_origin(member) is list:
        item = get_args(member)
        if item == (int,):
            return "int_list"
        if item == (str,):
            return "str_list"
        return "json"
    if not isinstance(member, type):
        return "json"
    if issubclass(member, bool):
        return "bool"
    if issubclass(member, int) and not issubclass(member, Enum):
        return "int"
    if issubclass(member, float):
        return "float"
    if issubclass(member, datetime.datetime):
        return "datetime"
    if issubclass(member, str):
        return "str"
    return "json"


def declared(model: type[Resource]) -> dict[str, Column]:
    """Every declared field of ``model`` as a column, by wire name, ``id`` first."""
    columns = {
        info.alias or name: Column(info.alias or name, kind_of(info.annotation))
        for name, info in model.model_fields.items()
    }
    return {"id": columns.pop("id"), **columns} if "id" in columns else columns


def choose(model: type[Resource], names: Sequence[str] | None) -> list[Column]:
    """The columns asked for, in that order; all declared ones when ``names`` is None."""
    known = declared(model)
    if names is None:
        return list(known.values())
    if isinstance(names, str) or not all(isinstance(name, str) for name in names):
        raise InvalidInputError(None, f"columns must be a list of field names, got {names!r}")
    unknown = [name for name in names if name not in known]
    if unknown:
        raise InvalidInputError(
            None, f"{model.__name__} has no field(s) {unknown} to make columns of; known: {sorted(known)}"
        )
    if len(set(names)) != len(names):
        raise InvalidInputError(None, f"columns are named twice in {list(names)}")
    if not names:
        raise InvalidInputError(None, "columns must name at least one field")
    return [known[name] for name in names]
