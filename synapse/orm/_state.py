"""Per-object bookkeeping: the session that loaded it, what the server last said, what changed.

Change tracking copies nothing up front. A field's server value is copied into the snapshot the
first time the field is read (containers: lists, dicts, nested models) or assigned; a field never
touched cannot have changed. Listing a million rows therefore copies nothing, and ``save()``
still sees in-place edits such as ``task.data["labels"].append(x)``.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from ..errors import DeferredFieldError

if TYPE_CHECKING:
    from ..transport.session import Session
    from .resource import Resource

ATOMIC: frozenset[type] = frozenset({str, int, float, bool, type(None)})
"""Exact types that never need copying (subclasses such as str enums take the slower path)."""
_all_atomic = ATOMIC.issuperset
MISSING: Any = object()


class State:
    """What the library keeps about one object, next to its fields (``obj.__pydantic_private__``).

    The rows of one list page share one ``shared`` state until something about a row changes
    (its snapshot, its relations, a newer answer): :func:`state_of` then gives that row its own
    copy. A page of a thousand rows thus costs one state, not a thousand.
    """

    __slots__ = ("clock", "fresh_until", "generation", "loaded", "related", "session", "shared", "snapshot")

    def __init__(
        self,
        session: Session | None,
        fresh_until: float = 0.0,
        generation: int = 0,
        clock: int = 0,
        loaded: frozenset[str] | None = None,
        *,
        shared: bool = False,
    ) -> None:
        self.shared = shared
        self.session = session
        self.fresh_until = fresh_until
        self.generation = generation
        self.clock = clock
        """The answer this object last took its values from (0: never loaded from the server)."""
        self.loaded = loaded
        """The declared fields the server sent, when it sent only some (``fields=``); None means all."""
        self.snapshot: dict[str, Any] | None = None
        self.related: dict[str, Resource] | None = None


def clone(value: Any) -> Any:
    """An independent copy of JSON-like containers, so in-place edits can be detected."""
    kind = type(value)
    if kind in ATOMIC:
        return value
    if kind is dict:
        if _all_atomic(map(type, value.values())):  # flat: a C-level scan and copy
            return value.copy()
        return {k: v if type(v) in ATOMIC else clone(v) for k, v in value.items()}
    if kind is list:
        if _all_atomic(map(type, value)):
            return value.copy()
        return [v if type(v) in ATOMIC else clone(v) for v in value]
    if isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, BaseModel):
        return value.model_copy(deep=True)
    if isinstance(value, dict):
        return {k: clone(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clone(v) for v in value]
    return copy.deepcopy(value)


def state_of(obj: Resource) -> State:
    """The object's own state, to read or change; objects pydantic built behind our back
    (``model_validate``) get a blank one, and a row's shared page state becomes its own copy."""
    state: State | None = obj.__pydantic_private__  # type: ignore[assignment]
    if state is None:
        state = State(None)
        object.__setattr__(obj, "__pydantic_private__", state)
    elif state.shared:
        state = State(state.session, state.fresh_until, state.generation, state.clock, state.loaded)
        object.__setattr__(obj, "__pydantic_private__", state)
    return state


def peek(obj: Resource) -> State | None:
    """The object's state for reading only (possibly shared with its page; never copied)."""
    state: State | None = obj.__pydantic_private__  # type: ignore[assignment]
    return state


def remember(obj: Resource, name: str, value: Any) -> None:
    """Record ``value`` as the server's value of ``name`` unless a snapshot of it exists already."""
    state = state_of(obj)
    snapshot = state.snapshot
    if snapshot is None:
        snapshot = state.snapshot = {}
    if name not in snapshot:
        snapshot[name] = value if value is MISSING else clone(value)


class Tracked:
    """Data descriptor on container fields: the first read snapshots the server value.

    It takes precedence over the instance ``__dict__``, so every read of ``task.data`` passes
    here; assignments go through the model's ``__setattr__``, which records the old value.
    """

    __slots__ = ("info", "name")

    def __init__(self, name: str, info: Any) -> None:
        self.name = name
        self.info = info

    def __get__(self, obj: Resource | None, owner: type | None = None) -> Any:
        if obj is None:
            return self.info  # what pydantic reads when a subclass inherits the field

        try:
            value = obj.__dict__[self.name]
        except KeyError:
            raise not_loaded(obj, self.name) from None
        if type(value) not in ATOMIC and (state := peek(obj)) is not None and state.clock:
            remember(obj, self.name, value)
        return value

    def __set__(self, obj: Resource, value: Any) -> None:
        obj.__dict__[self.name] = value


def not_loaded(obj: Resource, name: str) -> DeferredFieldError:
    kind = type(obj).__name__
    return DeferredFieldError(
        None,
        f"{kind} {obj.__dict__.get('id')} was loaded with only some fields (fields=...); {name!r} was not. "
        "Call refresh() to load every field",
    )


def current(obj: Resource, name: str) -> Any:
    """A field's current value, declared or extra, without snapshotting it."""
    if name in obj.__dict__:
        return obj.__dict__[name]
    extra = obj.__pydantic_extra__
    return extra.get(name, MISSING) if extra else MISSING


def changed(obj: Resource) -> set[str]:
    """Fields whose value differs from what the server last said (in-place edits included)."""
    state = state_of(obj)
    if not state.clock and obj.__dict__.get("id") is None:
        return set(obj.__pydantic_fields_set__) | set(obj.__pydantic_extra__ or {})
    snapshot = state.snapshot
    if not snapshot:
        return set()
    return {name for name, old in snapshot.items() if current(obj, name) != old}


def apply(obj: Resource, fresh: Resource, keep: set[str]) -> None:
    """Take the values an answer carried (``fresh``, built from it), except the fields in ``keep``.

    Only fields the answer actually contained are taken: a field it left out keeps its value.
    A taken field becomes clean: its snapshot entry goes, and the next read snapshots the new value.
    """
    state = state_of(obj)
    snapshot = state.snapshot
    values = obj.__dict__
    sent = fresh.__pydantic_fields_set__
    fields = {name: value for name, value in fresh.__dict__.items() if name in sent}
    extra = fresh.__pydantic_extra__
    for name, value in fields.items():
        if name in keep:
            continue
        values[name] = value
        if snapshot:
            snapshot.pop(name, None)
    if extra:
        own = obj.__pydantic_extra__
        if own is None:
            own = {}
            object.__setattr__(obj, "__pydantic_extra__", own)
        for name, value in extra.items():
            if name in keep:
                continue
            own[name] = value
            if snapshot:
                snapshot.pop(name, None)
    if state.loaded is not None:
        now_loaded = state.loaded.union(fields)
        state.loaded = None if now_loaded.issuperset(type(obj).model_fields) else frozenset(now_loaded)
