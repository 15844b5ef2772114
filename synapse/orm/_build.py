"""Building resources from the server's answers, fast when the answer fits, patient when it does not.

A list page is validated straight from its bytes by pydantic-core (``validate_json`` on a
``{count, next, results: [Model]}`` envelope): one pass parses the JSON, checks every known
field's type, turns date-times and enums into Python values and builds the objects. What does
not fit that path (expanded relations, sparse ``fields=`` answers, a value of an unexpected type)
is built row by row: related objects are made from nested dicts, and a field whose value has a
type its declaration rules out is kept as sent, with one warning per field (``strict`` sessions
raise :class:`~synapse.errors.ResponseError` instead), so one odd row never makes a listing
unreadable.
"""

from __future__ import annotations

import operator
import threading
import warnings
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import pydantic
import pydantic_core
from pydantic import TypeAdapter
from typing_extensions import TypedDict

from ..errors import ResponseError, SchemaWarning
from ..transport.envelope import Page, parse_page
from ._gc import collector_paused
from ._state import State, apply, changed, state_of
from .identity import IdentityMap, identity_map
from .relations import BelongsTo, ManyToMany

if TYPE_CHECKING:
    from ..transport.session import Session
    from .resource import Resource

R = TypeVar("R", bound="Resource")

_ID = operator.attrgetter("id")
_ADAPTERS: dict[type, TypeAdapter[Any]] = {}
_WARNED: set[tuple[type, str]] = set()
_WARN_LOCK = threading.Lock()


class _Envelope(TypedDict, Generic[R]):
    """A DRF page as pydantic validates it in one pass (``previous`` and other keys are ignored)."""

    count: int
    next: str | None
    results: list[R]


def _page_adapter(cls: type[R]) -> TypeAdapter[Any]:
    adapter = _ADAPTERS.get(cls)
    if adapter is None:
        adapter = _ADAPTERS[cls] = TypeAdapter(_Envelope[cls])  # type: ignore[valid-type]
    return adapter


def build_page(cls: type[R], body: bytes | Any, url: str, session: Session, clock: int, *, plain: bool) -> Page:
    """The page at ``url`` with live objects as results. ``plain``: no expansions or sparse fields asked."""
    identity: IdentityMap[Any] = identity_map(session)
    if plain and isinstance(body, (bytes, bytearray)):
        with collector_paused():
            try:
                envelope = _page_adapter(cls).validate_json(body)
            except pydantic.ValidationError:
                envelope = None
            if envelope is not None:
                objects = _adopt(cls, envelope["results"], session, identity, clock)
                return Page(objects, envelope["count"], envelope["next"], url)
    decoded = _decode(body, url) if isinstance(body, (bytes, bytearray)) else body
    page = parse_page(decoded, url)
    objects = [from_answer(cls, row, session, clock, partial=not plain) for row in page.results]
    return Page(objects, page.count, page.next, url)


def _adopt(cls: type[R], built: list[R], session: Session, identity: IdentityMap[Any], clock: int) -> list[R]:
    """Give freshly validated objects their state and identity; rows of live objects update those."""
    ids = list(map(_ID, built))
    if None in ids:
        raise ResponseError(None, f"the backend sent a {cls.__name__} without an id in a list page")
    state = State(session, identity.deadline(), identity.generation, clock, shared=True)
    setter = object.__setattr__
    for obj in built:
        setter(obj, "__pydantic_private__", state)
    taken = identity.claim_many(cls, built, ids)
    for index, live in taken.items():
        built[index] = _merge(live, built[index], clock)
    return built


def from_answer(
    cls: type[R], data: Any, session: Session, clock: int, *, partial: bool = False, pin: bool = False
) -> R:
    """The live object for one answered object (merged into the live one for its id, if any)."""
    if not isinstance(data, dict):
        raise ResponseError(None, f"expected a {cls.__name__} object, got {type(data).__name__}")
    identity: IdentityMap[Any] = identity_map(session)
    related: dict[str, Resource] = {}
    values = expand_relations(cls, data, session, clock, related)
    obj = validated(cls, values, session)
    state = State(session, identity.deadline(), identity.generation, clock)
    if partial:
        state.loaded = _drop_missing(cls, obj, data)
    if related:
        state.related = related
    object.__setattr__(obj, "__pydantic_private__", state)
    pk = obj.__dict__.get("id")
    if pk is None:
        return obj
    winner = identity.claim(cls, pk, obj, pin=pin)
    return obj if winner is None else _merge(winner, obj, clock)


def _merge(live: R, fresh: R, clock: int) -> R:
    """Apply a newer answer to the live object, keeping its unsaved edits; older answers are ignored."""
    state = state_of(live)
    new = state_of(fresh)  # fresh is discarded after the merge; owning its state costs one copy at most
    if clock < state.clock:
        return live
    state.clock = clock
    state.fresh_until, state.generation = new.fresh_until, new.generation
    apply(live, fresh, keep=changed(live))
    if new.related:
        state.related = {**(state.related or {}), **new.related}
    return live


def expand_relations(
    cls: type[Resource], data: dict[str, Any], session: Session, clock: int, related: dict[str, Resource]
) -> dict[str, Any]:
    """Expanded relations (nested dicts) become live objects; the row keeps their ids."""
    relations = cls._relations
    if not relations or not any(isinstance(data.get(key), (dict, list)) for key in relations):
        return data
    values = dict(data)
    for key, relation in relations.items():
        raw = values.get(key)
        if isinstance(relation, BelongsTo) and isinstance(raw, dict) and "id" in raw:
            obj = from_answer(relation.target_class, raw, session, clock)
            related[relation.name] = obj
            values[key] = obj.id
        elif isinstance(relation, ManyToMany) and isinstance(raw, list) and any(isinstance(v, dict) for v in raw):
            objs = [from_answer(relation.target_class, v, session, clock) for v in raw if isinstance(v, dict)]
            values[key] = [obj.id for obj in objs]
    return values


def validated(cls: type[R], values: dict[str, Any], session: Session) -> R:
    """Validate one row; values of an unexpected type are kept as sent, with a warning."""
    try:
        return cls.__pydantic_validator__.validate_python(values)  # type: ignore[no-any-return]
    except pydantic.ValidationError as exc:
        problems = {str(error["loc"][0]): error["msg"] for error in exc.errors() if error["loc"]}
    aliases = cls._alias_to_field
    if "id" in problems or not problems or getattr(session, "strict", False):
        shown = ", ".join(f"{name}: {msg}" for name, msg in problems.items()) or "not an object"
        raise ResponseError(None, f"the backend sent a {cls.__name__} this client cannot read ({shown})")
    kept = {name: values[name] for name in problems if name in values}
    obj: R = cls.__pydantic_validator__.validate_python({k: v for k, v in values.items() if k not in kept})
    for name, value in kept.items():
        field = aliases.get(name, name)
        obj.__dict__[field] = value
        obj.__pydantic_fields_set__.add(field)
        _warn_once(cls, field, value, problems[name])
    return obj


def _drop_missing(cls: type[Resource], obj: Resource, data: dict[str, Any]) -> frozenset[str] | None:
    """For a sparse answer: forget the declared fields it did not carry, so reading them raises."""
    present = {name for name, info in cls.model_fields.items() if (info.alias or name) in data}
    if len(present) == len(cls.model_fields):
        return None
    for name in cls.model_fields:
        if name not in present:
            obj.__dict__.pop(name, None)
    return frozenset(present)


def _warn_once(cls: type, field: str, value: Any, problem: str) -> None:
    with _WARN_LOCK:
        if (cls, field) in _WARNED:
            return
        _WARNED.add((cls, field))
    shown = repr(value)
    shown = shown if len(shown) <= 60 else shown[:60] + "..."
    warnings.warn(
        f"the backend sent {cls.__name__}.{field} = {shown} ({problem}); kept as sent. "
        "The server and this client disagree on the schema; Session(strict=True) raises instead",
        SchemaWarning,
        stacklevel=4,
    )


def _decode(body: bytes | bytearray, url: str) -> Any:
    try:
        with collector_paused():
            return pydantic_core.from_json(body)
    except ValueError:
        raise ResponseError(None, f"expected a page with a 'results' list from {url}, got a non-JSON body") from None
