"""Building resources from trusted server data, fast.

List iteration builds one object per row, so this skips pydantic's validation and
``model_construct``'s per-field default resolution: values go straight into the instance
dict. The object gets its own copies of containers while the server values become the
snapshot, so in-place edits of lists and dicts still show up as changes. Classes that do
something this lean path cannot reproduce (aliases, their own ``model_post_init``) fall
back to ``model_construct``.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

if TYPE_CHECKING:
    from ..transport.session import Session
    from .resource import Resource

_ATOMIC: frozenset[type] = frozenset({str, int, float, bool, type(None)})
"""Exact types that never need copying (subclasses such as str enums take the slower path)."""
_all_atomic = _ATOMIC.issuperset


def clone(value: Any) -> Any:
    """An independent copy of JSON-like containers, so in-place edits can be detected."""
    kind = type(value)
    if kind in _ATOMIC:
        return value
    if kind is dict:
        if _all_atomic(map(type, value.values())):  # flat: a C-level scan and copy
            return value.copy()
        return {k: v if type(v) in _ATOMIC else clone(v) for k, v in value.items()}
    if kind is list:
        if _all_atomic(map(type, value)):
            return value.copy()
        return [v if type(v) in _ATOMIC else clone(v) for v in value]
    if isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, dict):
        return {k: clone(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clone(v) for v in value]
    return copy.deepcopy(value)


_set = object.__setattr__
_Plan = tuple[frozenset[str], tuple[tuple[str, Any, Any], ...], tuple[tuple[str, Any], ...]]
_NO_PLAN: _Plan = (frozenset(), (), ())
_PLANS: dict[type, _Plan] = {}
_KNOWN_PRIVATE = frozenset({"_session", "_snapshot", "_related"})


def _construct_plan(cls: type[Resource]) -> _Plan:
    """What ``Resource._construct`` needs to know about a class, or ``_NO_PLAN`` when the class
    does something the lean path cannot reproduce (aliases, its own ``model_post_init``...)."""
    if cls.model_config.get("extra") != "allow" or cls.__pydantic_root_model__:
        return _NO_PLAN
    for klass in cls.__mro__:
        if klass is BaseModel:
            break
        hook = vars(klass).get("model_post_init")
        if hook is not None and getattr(hook, "__name__", "") != "init_private_attributes":
            return _NO_PLAN
    defaults: list[tuple[str, Any, Any]] = []
    for name, info in cls.model_fields.items():
        if info.alias is not None or info.validation_alias is not None:
            return _NO_PLAN
        if getattr(info, "default_factory_takes_data", False):
            return _NO_PLAN
        if not info.is_required():
            defaults.append((name, info.default, info.default_factory))
    private = tuple((name, attr) for name, attr in cls.__private_attributes__.items() if name not in _KNOWN_PRIVATE)
    return frozenset(cls.model_fields), tuple(defaults), private


def build(cls: type[Resource], values: dict[str, Any], related: dict[str, Resource], session: Session) -> Resource:
    """A new instance of ``cls`` holding ``values``; ``values`` (owned by the caller) becomes its snapshot."""
    plan = _PLANS.get(cls)
    if plan is None:
        plan = _PLANS[cls] = _construct_plan(cls)
    if plan is _NO_PLAN:
        made = cls.model_construct(**values)
        made._session = session
        made._snapshot = {name: clone(value) for name, value in values.items()}
        made._related.update(related)
        return made
    names, defaults, private = plan
    fields: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for name, value in values.items():
        if type(value) not in _ATOMIC:
            value = clone(value)
        if name in names:
            fields[name] = value
        else:
            extra[name] = value
    fields_set = set(fields)
    if len(fields) < len(names):
        for name, default, factory in defaults:
            if name not in fields:
                if factory is not None:
                    fields[name] = factory()
                else:
                    fields[name] = default if type(default) in _ATOMIC else clone(default)
    obj = cls.__new__(cls)
    _set(obj, "__dict__", fields)
    _set(obj, "__pydantic_fields_set__", fields_set)
    _set(obj, "__pydantic_extra__", extra)
    state = {name: attr.get_default() for name, attr in private} if private else {}
    state["_session"] = session
    state["_snapshot"] = values
    state["_related"] = related
    _set(obj, "__pydantic_private__", state)
    return obj
