"""Reading and writing one object: get, save, refresh, delete, and pickling without credentials.

Every answer is checked before it becomes the object: ``get(1)`` must answer object 1 (a reply
for another id, or one without an id, is a :class:`~synapse.errors.ResponseError`), and a
reply is applied only if no newer answer about the object arrived meanwhile, so a slow
``refresh()`` cannot roll back a faster ``save()``. Fields edited while a ``save()`` was in
flight stay edited (and dirty) when its reply arrives.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from ..errors import ConfigurationError, InvalidInputError, ResponseError
from ..transport.defaults import get_session
from ..transport.session import Session
from ._build import expand_relations, from_answer, validated
from ._state import MISSING, State, apply, changed, clone, current, remember, state_of
from .identity import identity_map
from .routes import detail_path, does_not_exist

if TYPE_CHECKING:
    from .resource import Resource

R = TypeVar("R", bound="Resource")

DETAIL_OPTIONS = frozenset({"expand", "fields"})
"""Query parameters every detail GET accepts; families declare more with ``get_params=``."""


def get(cls: type[R], pk: Any, *, refresh: bool, session: Session | None, options: dict[str, Any]) -> R:
    meta = cls._meta
    params = {k: v for k, v in options.items() if k in DETAIL_OPTIONS | meta.get_params}
    if "fields" in params:  # a sparse answer still carries the id, or it could not be checked or saved
        names = [name for name in str(params["fields"]).split(",") if name]
        params["fields"] = ",".join(dict.fromkeys(["id", *names]))
    lookups = {k: v for k, v in options.items() if k not in params}
    if pk is None:
        if not lookups:
            raise InvalidInputError(None, f"{cls.__name__}.get() needs an id or lookups such as get(field=value)")
        if params:
            raise InvalidInputError(None, f"{sorted(params)} only go with an id: {cls.__name__}.get(1, ...)")
        query = cls.all() if session is None else cls.using(session)
        return query.get(**lookups)
    if lookups:
        raise InvalidInputError(None, f"{cls.__name__}.get() takes an id or lookups, not both: {sorted(lookups)}")
    session = session or get_session()
    by_field = _field_lookup(cls, pk)
    if by_field is not None:
        query = cls.using(session).filter(**{by_field: pk})
        found = query.get()
        if str(getattr(found, by_field, None)) != pk:
            raise ResponseError(None, f"the backend answered {cls.__name__} {found.id} for {by_field}={pk!r}")
        return found
    path = detail_path(cls, pk)
    identity = identity_map(session)
    if not refresh and not params:
        cached = identity.fresh(cls, pk)
        if cached is not None:
            return cached  # type: ignore[return-value]
    clock = identity.clock()
    with does_not_exist(cls):
        data = session.request("GET", path, params=params or None)
    _check_identity(cls, pk, data)
    return from_answer(cls, data, session, clock, partial="fields" in params, pin=True)


def _field_lookup(cls: type[Resource], pk: Any) -> str | None:
    """The declared lookup field a non-numeric string key stands for (``Plugin.get("my-plugin")``)."""
    if not isinstance(pk, str) or pk.isdigit() or "@" in pk:
        return None
    fields = [name for name in cls._meta.lookups if "@" not in name]
    return fields[0] if fields else None


def _check_identity(cls: type[Resource], pk: Any, data: Any) -> None:
    """The answer to ``get(pk)`` must be object ``pk``, else using it would edit another object."""
    if not isinstance(data, dict):
        raise ResponseError(None, f"expected a {cls.__name__} object for id {pk!r}, got {type(data).__name__}")
    got = data.get("id")
    if isinstance(pk, str) and "@" in pk:
        version = pk.rsplit("@", 1)[1]
        if got is None or str(data.get("version")) != version:
            raise ResponseError(None, f"the backend answered {data.get('version')!r} for {cls.__name__} {pk!r}")
        return
    if got is None or (got != pk and str(got) != str(pk)):
        raise ResponseError(
            None, f"asked for {cls.__name__} {pk!r}, the backend answered id {got!r}; refusing to use it"
        )


def save(obj: R) -> R:
    cls = type(obj)
    session = obj._bound_session()
    edited = changed(obj)
    identity = identity_map(session)
    state = state_of(obj)
    if obj.id is None:
        body = {k: v for k, v in obj.to_wire(edited).items() if v is not None}
        sent = {name: clone(current(obj, name)) for name in edited}
        clock = identity.clock()
        data = session.request("POST", cls._meta.path, json=body)
    else:
        if not edited:
            return obj
        unknown = {n for n in edited if (state.snapshot or {}).get(n) is MISSING}
        if unknown:
            raise InvalidInputError(None, f"{cls.__name__} has no field(s) {sorted(unknown)}; nothing was sent")
        sent = {name: clone(current(obj, name)) for name in edited}
        clock = identity.clock()
        data = session.request(cls._meta.update_method, obj.api_url(), json=obj.to_wire(edited))
    _accept(obj, data, session, clock, sent)
    if obj.id is None:
        # tasks/ reads {"project", "data": [...]} as a bulk create: the object was not created.
        raise ResponseError(None, f"the backend's reply to creating a {cls.__name__} has no 'id': {str(data)[:200]}")
    return obj


def _accept(obj: Resource, data: Any, session: Session, clock: int, sent: dict[str, Any]) -> None:
    """Take the reply to our own write; fields edited while it was in flight stay edited."""
    state = state_of(obj)
    if clock < state.clock:
        return
    edited_since = {name for name in changed(obj) if name not in sent or current(obj, name) != sent[name]}
    if state.snapshot:  # what we sent is now the server's state, even for fields the reply leaves out
        for name in sent:
            if name not in edited_since:
                state.snapshot.pop(name, None)
    state.clock, state.session = clock, session
    if isinstance(data, dict):
        _take(obj, data, session, clock, keep=edited_since)


def _take(obj: Resource, data: dict[str, Any], session: Session, clock: int, *, keep: set[str]) -> None:
    """Apply an answer about ``obj`` to it and make it the live, fresh object for its id."""
    cls = type(obj)
    related: dict[str, Resource] = {}
    fresh = validated(cls, expand_relations(cls, data, session, clock, related), session)
    apply(obj, fresh, keep=keep)
    state = state_of(obj)
    if related:
        state.related = {**(state.related or {}), **related}
    if obj.id is not None:
        identity = identity_map(session)
        state.fresh_until, state.generation = identity.deadline(), identity.generation
        if identity.claim(cls, obj.id, obj, pin=True) not in (None, obj):
            identity.discard(cls, obj.id)
            identity.claim(cls, obj.id, obj, pin=True)


def answered(cls: type[R], data: Any, session: Session) -> R:
    return from_answer(cls, data, session, identity_map(session).clock())


def accept_reply(obj: Resource, data: Any, session: Session) -> None:
    if not isinstance(data, dict):
        raise ResponseError(None, f"expected a {type(obj).__name__} object in the reply, got {type(data).__name__}")
    clock = identity_map(session).clock()
    state = state_of(obj)
    state.clock, state.session = clock, session
    _take(obj, data, session, clock, keep=set())


def refresh(obj: R) -> R:
    session = obj._bound_session()
    clock = identity_map(session).clock()
    with does_not_exist(type(obj)):
        data = session.request("GET", obj.api_url())
    _check_identity(type(obj), obj.id, data)
    state = state_of(obj)
    if clock < state.clock:
        return obj  # a newer answer (e.g. a save() that finished first) already applied
    state.clock, state.session, state.snapshot, state.loaded = clock, session, None, None
    _take(obj, data, session, clock, keep=set())
    return obj


def delete(obj: Resource) -> None:
    session = obj._bound_session()
    pk = obj._require_id()
    session.request("DELETE", obj.api_url())
    identity_map(session).discard(type(obj), pk)


def reduce(obj: Resource) -> tuple[Any, ...]:
    """Pickle as (class, server state, unsaved edits): no session, no credentials.

    On load the object joins the current session's identity map (merging into a live object
    with the same id) and the edits are re-applied, so they are still unsaved.
    """
    state = state_of(obj)
    edits = {name: current(obj, name) for name in changed(obj)}
    server = dict(obj.model_dump(mode="python"))
    aliases = {name: info.alias or name for name, info in type(obj).model_fields.items()}
    for name, old in (state.snapshot or {}).items():
        if name in edits:
            server[aliases.get(name, name)] = old
    return (_unpickle, (type(obj), server, edits, state.clock > 0, state.loaded is not None))


def _unpickle(cls: type[R], server: dict[str, Any], edits: dict[str, Any], loaded: bool, partial: bool) -> R:
    try:
        session: Session | None = get_session()
    except ConfigurationError:
        session = None
    if not loaded or server.get("id") is None:
        return cls(**{**{k: v for k, v in server.items() if k != "id"}, **edits})
    if session is not None:
        obj = from_answer(cls, server, session, identity_map(session).clock(), partial=partial)
    else:
        obj = cls.__pydantic_validator__.validate_python(server)
        object.__setattr__(obj, "__pydantic_private__", State(None, clock=1))
    for name, value in edits.items():
        old = current(obj, name)
        if old is not MISSING:
            remember(obj, name, old)
        if name in cls.model_fields:
            obj.__dict__[name] = value
        else:
            (obj.__pydantic_extra__ or {})[name] = value
    return obj
