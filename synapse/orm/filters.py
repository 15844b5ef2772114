"""Checking filters, orderings and expansions against a family's declaration before anything is sent.

The backend (DRF with django-filter) silently ignores query parameters it does not know, so a
typo or a dropped filter would quietly return *every* object, right before a bulk tag, annotate
or delete. Here every name is checked against the declaration (an unknown one raises
:class:`~synapse.errors.InvalidInputError` naming the closest valid ones) and every value is
spelled the way the backend reads it. Values that would make the backend drop the filter
(``None``, an unsaved object) raise; an empty ``__in`` list makes the queryset empty.
"""

from __future__ import annotations

import datetime
import difflib
from collections.abc import Iterable, Mapping
from enum import Enum
from typing import TYPE_CHECKING, Any

from ..errors import InvalidInputError
from .declare import Filter

if TYPE_CHECKING:
    from .resource import Resource

EMPTY: Any = object()
"""A filter value that can match nothing (an empty list): the queryset is empty, nothing is sent."""


def check_filters(cls: type[Resource], given: Mapping[str, Any]) -> dict[str, Any]:
    """``given`` as the query parameters the backend reads, or :data:`EMPTY` somewhere if nothing can match."""
    checked: dict[str, Any] = {}
    for key, value in given.items():
        name, spec = _declared(cls, key)
        checked[name] = _value(cls, spec, value)
    return checked


def _declared(cls: type[Resource], key: str) -> tuple[str, Filter]:
    """The wire name and declaration of filter ``key`` (either spelling of a foreign key), or raise."""
    name = _canonical(cls, key)
    spec = cls._meta.filters.get(name)
    if spec is None:
        raise InvalidInputError(None, _unknown(cls, key, "filter", _filter_names(cls)))
    return name, spec


def _canonical(cls: type[Resource], key: str) -> str:
    """``project_id`` (the attribute users see) filters like ``project`` (the wire name)."""
    filters = cls._meta.filters
    if key not in filters and key.endswith("_id") and filters.get(key[:-3], Filter("", "text")).kind == "fk":
        return key[:-3]
    return key


def _filter_names(cls: type[Resource]) -> list[str]:
    names = list(cls._meta.filters)
    names += [f"{name}_id" for name, spec in cls._meta.filters.items() if spec.kind == "fk"]
    return sorted(names)


def _unknown(cls: type[Resource], key: str, what: str, valid: Iterable[str]) -> str:
    valid = sorted(valid)
    close = difflib.get_close_matches(key, valid, n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    known = ", ".join(valid) if valid else "none"
    return (
        f"{cls.__name__} has no {what} {key!r}{hint} The backend ignores parameters it does not know, "
        f"so it would answer as if there were no {what} at all. Known: {known}. "
        "For a parameter this client does not declare yet, use .with_params(...)"
    )


def _value(cls: type[Resource], spec: Filter, value: Any) -> Any:
    if spec.repeated:
        items = _listed(value)
        if not items:
            return EMPTY
        single = Filter(spec.name, _single_kind(spec), spec.choices, spec.target)
        converted = [_one(cls, single, item) for item in items]
        return ",".join(str(item) for item in converted) if spec.kind == "number-in" else converted
    if isinstance(value, (list, tuple, set, frozenset)):
        raise InvalidInputError(None, f"{cls.__name__} filter {spec.name!r} takes one value, not a list")
    return _one(cls, spec, value)


def _single_kind(spec: Filter) -> Any:
    return {"fk-multi": "fk", "multi-choice": "choice", "number-in": "number"}[spec.kind]


def _listed(value: Any) -> list[Any]:
    if isinstance(value, (list, tuple, set, frozenset)):
        return list(value)
    if hasattr(value, "values") and hasattr(value, "model"):  # a queryset: its ids
        return [row["id"] for row in value.values()]
    return [value]


def _one(cls: type[Resource], spec: Filter, value: Any) -> Any:
    where = f"{cls.__name__} filter {spec.name!r}"
    if value is None:
        raise InvalidInputError(
            None, f"{where} got None; the backend would ignore it and match everything. Leave the filter out"
        )
    kind = spec.kind
    if kind == "fk":
        return _fk(where, spec, value)
    if kind == "choice":
        text = str(value.value) if isinstance(value, Enum) else value
        if text not in spec.choices:
            raise InvalidInputError(None, f"{where} takes one of {', '.join(spec.choices)}; got {value!r}")
        return text
    if kind == "bool":
        if not isinstance(value, bool):
            raise InvalidInputError(None, f"{where} takes True or False, not {value!r} (the backend ignores others)")
        return value
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise InvalidInputError(None, f"{where} takes a number, not {value!r}")
        return value
    if kind == "datetime":
        return _datetime(where, value)
    if not isinstance(value, str):
        raise InvalidInputError(None, f"{where} takes a string, not {type(value).__name__}")
    return value


def _fk(where: str, spec: Filter, value: Any) -> Any:
    from .resource import Resource

    if isinstance(value, Resource):
        if spec.target and type(value)._meta.name != spec.target:
            raise InvalidInputError(None, f"{where} takes a {spec.target} or its id, not a {type(value).__name__}")
        if value.id is None:
            raise InvalidInputError(None, f"{where} got an unsaved {type(value).__name__}; save() it first")
        return value.id
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise InvalidInputError(None, f"{where} takes a {spec.target or 'related object'} or its id, not {value!r}")
    return value


def _datetime(where: str, value: Any) -> str:
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise InvalidInputError(None, f"{where} takes an ISO 8601 date-time, not {value!r}") from None
        return value
    raise InvalidInputError(None, f"{where} takes a datetime or an ISO 8601 string, not {type(value).__name__}")


def check_names(cls: type[Resource], names: Iterable[str], what: str, valid: frozenset[str]) -> tuple[str, ...]:
    """Ordering, expansion or field names, in their wire spelling; unknown ones raise."""
    aliases = {name: info.alias for name, info in cls.model_fields.items() if info.alias}
    checked = []
    for raw in names:
        if not isinstance(raw, str) or not raw.lstrip("-"):
            raise InvalidInputError(None, f"{what} names must be non-empty strings, got {raw!r}")
        sign = "-" if raw.startswith("-") and what == "ordering" else ""
        name = raw[len(sign) :]
        name = aliases.get(name, name)
        if name not in valid:
            raise InvalidInputError(None, _unknown(cls, name, what, valid))
        checked.append(sign + name)
    return tuple(checked)


def negate(cls: type[Resource], given: Mapping[str, Any]) -> dict[str, Any]:
    """``exclude(**given)`` as filters, where the backend can express the opposite; else raise."""
    negated: dict[str, Any] = {}
    for key, value in given.items():
        name, spec = _declared(cls, key)
        if spec.kind == "bool" and isinstance(value, bool):
            negated[name] = not value
        elif spec.kind == "multi-choice":
            excluded = {str(v.value) if isinstance(v, Enum) else str(v) for v in _listed(value)}
            negated[name] = [choice for choice in spec.choices if choice not in excluded]
        else:
            raise InvalidInputError(
                None,
                f"the backend cannot exclude by {cls.__name__} {name!r}: it has no negated form of that filter. "
                "Filter by the values you want instead",
            )
    return negated
