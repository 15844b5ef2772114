"""The active-record base class every resource derives from.

A resource is a pydantic model with ``extra="allow"`` (new server fields never break
us) plus: a place in the API (``api_path``), identity through the session's
:class:`~synapse.orm.identity.IdentityMap`, dirty tracking against a snapshot of the last
server state (so in-place edits of lists and dicts are seen), and
``get/all/filter/create/save/refresh/delete``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from enum import Enum
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

import pydantic
from pydantic import BaseModel, ConfigDict, PrivateAttr
from pydantic._internal._model_construction import ModelMetaclass

from ..errors import ConfigurationError, InvalidInputError, NotFoundError, ReadOnlyFieldError, ResponseError
from ..transport.paths import check_id
from ..transport.session import Session, get_session
from ._build import build, clone
from ._wire_types import check_wire_types
from .identity import identity_map
from .relations import BelongsTo, HasMany, register

if TYPE_CHECKING:
    from typing_extensions import Self

    from .queryset import QuerySet

R = TypeVar("R", bound="Resource")
_MISSING: Any = object()


class _ResourceMeta(ModelMetaclass):
    """Keeps annotated relations out of pydantic's fields.

    ``project: BelongsTo[Project] = BelongsTo("Project")`` is annotated without ``ClassVar`` so
    type checkers accept ``task.project = other`` through the descriptor's ``__set__``; pydantic
    would make such an annotation a field, so it is dropped before the model is built.
    """

    def __new__(mcs, name: str, bases: tuple[type, ...], namespace: dict[str, Any], **kwargs: Any) -> type:
        annotations = namespace.get("__annotations__")
        if annotations:
            namespace["__annotations__"] = {
                key: hint
                for key, hint in annotations.items()
                if not isinstance(namespace.get(key), (BelongsTo, HasMany))
            }
        return super().__new__(mcs, name, bases, namespace, **kwargs)


class Resource(BaseModel, metaclass=_ResourceMeta):
    """Base of every Synapse object. Subclasses declare ``api_path`` and their fields."""

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
        protected_namespaces=(),
        ignored_types=(BelongsTo, HasMany),
        arbitrary_types_allowed=True,
    )

    api_path: ClassVar[str] = ""
    """Collection path, e.g. ``"tasks/"``; detail is ``api_path + "{id}/"``."""
    api_list_path: ClassVar[str | None] = None
    """Where listing goes when it differs from ``api_path`` (``sdk/tasks/``)."""
    repr_fields: ClassVar[tuple[str, ...]] = ()
    read_only_fields: ClassVar[frozenset[str]] = frozenset()
    """Server-set fields beyond the common ones (``id``, ``created``...)."""
    update_method: ClassVar[str] = "PATCH"
    converters: ClassVar[dict[str, Callable[[Any], Any]]] = {}
    """Per-field functions that turn wire values into richer ones (enums, nested models).

    They run on every value from the server and from the constructor, so they must accept
    their own output and leave values they do not understand unchanged.
    """
    belongs_to: ClassVar[dict[str, BelongsTo[Any]]] = {}
    DoesNotExist: ClassVar[type[NotFoundError]] = NotFoundError

    id: int | None = None

    _session: Session | None = PrivateAttr(default=None)
    _snapshot: dict[str, Any] = PrivateAttr(default={})
    _related: dict[str, Resource] = PrivateAttr(default={})

    _COMMON_READ_ONLY: ClassVar[frozenset[str]] = frozenset(
        {"id", "created", "modified", "created_at", "updated_at", "completed_at"}
    )

    # -- class set-up ---------------------------------------------------------------------

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        relations: dict[str, BelongsTo[Any]] = {}
        for klass in reversed(cls.__mro__):
            for value in vars(klass).values():
                if isinstance(value, BelongsTo):
                    relations[value.key] = value
        cls.belongs_to = relations
        cls.DoesNotExist = type(
            "DoesNotExist",
            (NotFoundError,),
            {
                "__module__": cls.__module__,
                "__qualname__": f"{cls.__qualname__}.DoesNotExist",
                "__doc__": f"No {cls.__name__} matched.",
            },
        )
        if cls.api_path:
            register(cls)

    def __init__(self, **fields: Any) -> None:
        """Build a new, unsaved object. Foreign keys take an object or an id."""
        related: dict[str, Resource] = {}
        values = self._wire_to_fields(fields, related, None)
        try:
            super().__init__(**values)
        except pydantic.ValidationError as exc:
            raise InvalidInputError(None, _validation_message(type(self).__name__, exc)) from None
        self._related.update(related)

    # -- construction from server data --------------------------------------------------------

    @classmethod
    def _wire_to_fields(
        cls, data: dict[str, Any], related: dict[str, Resource], session: Session | None
    ) -> dict[str, Any]:
        """Rename foreign keys to their ``*_id`` fields; expanded dicts become related objects.

        With a session the data comes from the server, and known fields are type-checked.
        """
        values = dict(data)
        if cls.converters:
            for name, convert in cls.converters.items():
                if values.get(name) is not None:
                    values[name] = convert(values[name])
        for key, relation in cls.belongs_to.items():
            if key not in values:
                continue
            raw = values.pop(key)
            if isinstance(raw, dict) and "id" in raw and session is not None:
                obj = relation.target_class._from_server(raw, session)
                related[relation.name] = obj
                values[relation.id_attr] = obj.id
            elif isinstance(raw, dict):
                values[relation.id_attr] = raw.get("id")
            elif isinstance(raw, Resource):
                related[relation.name] = raw
                values[relation.id_attr] = raw.id
            else:
                values[relation.id_attr] = raw
        if session is not None:
            check_wire_types(cls, values)
        return values

    @classmethod
    def _from_server(cls, data: Any, session: Session) -> Self:
        """The live object for this server data: merged into the existing one, or built."""
        if not isinstance(data, dict):
            raise ResponseError(None, f"expected a {cls.__name__} object, got {type(data).__name__}")
        related: dict[str, Resource] = {}
        values = cls._wire_to_fields(data, related, session)
        pk = values.get("id")
        if pk is not None:
            live = identity_map(session).live(cls, pk)
            if live is not None:
                live._merge(values, related, keep_local_edits=True)
                identity_map(session).add(cls, pk, live)
                return cast("Self", live)
        obj = cls._construct(values, related, session)
        if pk is not None:
            winner = identity_map(session).claim(cls, pk, obj)
            if winner is not obj:
                winner._merge(values, related, keep_local_edits=True)
                return cast("Self", winner)
        return obj

    @classmethod
    def _construct(cls, values: dict[str, Any], related: dict[str, Resource], session: Session) -> Self:
        """Build an object from trusted server values, without validation (see ``construct``)."""
        return cast("Self", build(cls, values, related, session))

    def _merge(self, values: dict[str, Any], related: dict[str, Resource], *, keep_local_edits: bool) -> None:
        """Apply fresh server values, keeping fields the user changed and has not saved."""
        dirty = self.changed_fields() if keep_local_edits else set()
        if self.__pydantic_extra__ is None:
            object.__setattr__(self, "__pydantic_extra__", {})
        extra = cast("dict[str, Any]", self.__pydantic_extra__)
        fields = type(self).model_fields
        current = self.__dict__
        snapshot = self._snapshot  # one private-attribute lookup (pydantic __getattr__), not one per field
        for name, value in values.items():
            if name in dirty:
                continue
            if name in fields:
                current[name] = value
            else:
                extra[name] = value
            snapshot[name] = clone(value)
        if related:
            self._related.update(related)

    # -- attributes -------------------------------------------------------------------------

    def __setattr__(self, name: str, value: Any) -> None:
        relation = getattr(type(self), name, None) if not name.startswith("_") else None
        if isinstance(relation, BelongsTo):
            relation.__set__(self, value)
            return
        if name in self._read_only() and not name.startswith("_"):
            raise ReadOnlyFieldError(None, f"{type(self).__name__}.{name} is set by the server and cannot be changed")
        super().__setattr__(name, value)

    @classmethod
    def _read_only(cls) -> frozenset[str]:
        return cls._COMMON_READ_ONLY | cls.read_only_fields

    def __dir__(self) -> list[str]:
        """Fields, extra server fields and our public methods: what tab completion should offer."""
        names = set(type(self).model_fields) | set(self.__pydantic_extra__ or {})
        for klass in type(self).__mro__:
            if klass is BaseModel:
                break
            names.update(name for name in vars(klass) if not name.startswith(("_", "model_")))
        names.update(("model_dump", "model_dump_json"))
        return sorted(names)

    def __repr__(self) -> str:
        parts = [f"<{type(self).__name__}", str(self.id) if self.id is not None else "(unsaved)"]
        for name in self.repr_fields:
            relation = next((r for r in self.belongs_to.values() if r.name == name), None)
            value = getattr(self, relation.id_attr if relation else name, None)
            if isinstance(value, Enum):
                value = value.value
            if value is not None:
                parts.append(f"{name}={value!r}")
        return " ".join(parts) + ">"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Resource):
            return NotImplemented
        if self.id is None or other.id is None:
            return self is other
        return type(self) is type(other) and self.id == other.id

    def __hash__(self) -> int:
        return hash((type(self), self.id)) if self.id is not None else id(self)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as (class, server state, unsaved edits): no session, no credentials.

        On load the object joins the current session's identity map (merging into a live
        object with the same id) and the edits are re-applied, so they are still unsaved.
        """
        current = self._current_values()
        edits = {name: current[name] for name in self.changed_fields()}
        return (_unpickle, (type(self), dict(self._snapshot), edits))

    # -- session ----------------------------------------------------------------------------

    def _bound_session(self) -> Session:
        """The session that loaded this object, else the current one."""
        if self._session is None:
            self._session = get_session()
        return self._session

    @classmethod
    def detail_path(cls, pk: Any) -> str:
        return f"{cls.api_path}{check_id(pk, f'{cls.__name__} id')}/"

    def api_url(self) -> str:
        """This object's detail path, relative to the base URL."""
        return self.detail_path(self._require_id())

    def _require_id(self) -> int | str:
        if self.id is None:
            raise InvalidInputError(None, f"this {type(self).__name__} is not saved yet; call save() first")
        return self.id

    # -- dirty tracking ------------------------------------------------------------------------

    def _current_values(self) -> dict[str, Any]:
        values = {name: self.__dict__.get(name) for name in type(self).model_fields}
        values.update(self.__pydantic_extra__ or {})
        return values

    def changed_fields(self) -> set[str]:
        """Fields whose value differs from the last server state (in-place edits included)."""
        snapshot = self._snapshot
        if self.id is None and not snapshot:
            return set(self.model_fields_set) | set(self.__pydantic_extra__ or {})
        return {
            name
            for name, value in self._current_values().items()
            if (snapshot.get(name, _MISSING) is _MISSING and value is not None)
            or (name in snapshot and snapshot[name] != value)
        }

    @property
    def is_dirty(self) -> bool:
        return bool(self.changed_fields())

    def to_wire(self, fields: set[str] | None = None) -> dict[str, Any]:
        """Field values keyed as the server names them (``project_id`` -> ``project``)."""
        values = self._current_values()
        if fields is not None:
            values = {k: v for k, v in values.items() if k in fields}
        renames = {relation.id_attr: key for key, relation in self.belongs_to.items()}
        return {renames.get(name, name): _jsonable(value) for name, value in values.items()}

    # -- class-level API ------------------------------------------------------------------------

    @classmethod
    def get(cls, pk: Any, *, refresh: bool = False, session: Session | None = None, **params: Any) -> Self:
        """Fetch one object by id; a fresh cached copy is returned without a request."""
        session = session or get_session()
        path = cls.detail_path(pk)
        if not refresh and not params:
            cached = identity_map(session).fresh(cls, pk)
            if cached is not None:
                return cached  # type: ignore[no-any-return]
        try:
            data = session.request("GET", path, params=params or None)
        except NotFoundError as exc:
            raise cls.DoesNotExist(404, exc.detail, method=exc.method, url=exc.url) from None
        return cls._from_server(data, session)

    @classmethod
    def all(cls) -> QuerySet[Self]:
        """A lazy queryset over every object; nothing is sent until it is evaluated."""
        from .queryset import QuerySet

        return QuerySet(cls)

    @classmethod
    def filter(cls, **params: Any) -> QuerySet[Self]:
        return cls.all().filter(**params)

    @classmethod
    def using(cls, session: Session) -> QuerySet[Self]:
        """A queryset bound to ``session`` instead of the current one."""
        from .queryset import QuerySet

        return QuerySet(cls, session=session)

    @classmethod
    def create(cls, *, session: Session | None = None, **fields: Any) -> Self:
        """Build and save a new object in one call."""
        obj = cls(**fields)
        if session is not None:
            obj._session = session
        return obj.save()

    # -- instance API -----------------------------------------------------------------------------

    def save(self) -> Self:
        """POST a new object, or PATCH only the changed fields; nothing changed sends nothing."""
        session = self._bound_session()
        changed = self.changed_fields()
        if self.id is None:
            sent = {name: value for name, value in self._current_values().items() if name in changed}
            body = {k: v for k, v in self.to_wire(changed).items() if v is not None}
            data = session.request("POST", self.api_path, json=body)
        else:
            if not changed:
                return self
            unknown = {name for name in changed if name not in type(self).model_fields and name not in self._snapshot}
            if unknown:
                raise InvalidInputError(
                    None, f"{type(self).__name__} has no field(s) {sorted(unknown)}; nothing was sent"
                )
            sent = {name: value for name, value in self._current_values().items() if name in changed}
            data = session.request(self.update_method, self.api_url(), json=self.to_wire(changed))
        # What we sent is now the server's state, even for fields its reply leaves out.
        self._snapshot.update({name: clone(value) for name, value in sent.items()})
        self._accept(data, session)
        if self.id is None:
            # E.g. tasks/ reads {"project", "data": [...]} as a bulk create: the object was not created.
            raise ResponseError(
                None, f"the backend's reply to creating a {type(self).__name__} has no 'id': {str(data)[:200]}"
            )
        return self

    def _accept(self, data: Any, session: Session) -> None:
        """Take a server reply to our own write as the new truth, and register the object."""
        if not isinstance(data, dict):
            return
        related: dict[str, Resource] = {}
        values = self._wire_to_fields(data, related, session)
        self._merge(values, related, keep_local_edits=False)
        if self.id is not None:
            live = identity_map(session).live(type(self), self.id)
            if live is None or live is self:
                identity_map(session).add(type(self), self.id, self)

    def refresh(self) -> Self:
        """Reload from the server, dropping unsaved local edits."""
        session = self._bound_session()
        try:
            data = session.request("GET", self.api_url())
        except NotFoundError as exc:
            raise self.DoesNotExist(404, exc.detail, method=exc.method, url=exc.url) from None
        self._accept(data, session)
        return self

    def delete(self) -> None:
        """Delete on the server and forget the object in the identity map."""
        session = self._bound_session()
        pk = self._require_id()
        session.request("DELETE", self.api_url())
        identity_map(session).discard(type(self), pk)

    def fields(self) -> Iterator[tuple[str, Any]]:
        """(name, value) of every field, typed and extra, for display."""
        yield from self._current_values().items()


def _unpickle(cls: type[Resource], state: dict[str, Any], edits: dict[str, Any]) -> Resource:
    """Rebuild a pickled resource in the current session (if any), then re-apply its edits."""
    try:
        session: Session | None = get_session()
    except ConfigurationError:
        session = None
    if state.get("id") is None:
        return cls(**{**state, **edits})
    if session is not None:
        obj = cls._from_server(state, session)
    else:
        obj = cls.model_construct(**state)
        obj._snapshot = {name: clone(value) for name, value in state.items()}
    for name, value in edits.items():
        if name in type(obj).model_fields:
            obj.__dict__[name] = value
        else:
            cast("dict[str, Any]", obj.__pydantic_extra__)[name] = value
    return obj


def _jsonable(value: Any) -> Any:
    """Nested pydantic models (e.g. file specifications) as plain JSON values."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_none=True)
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def _validation_message(name: str, exc: pydantic.ValidationError) -> str:
    problems = []
    for error in exc.errors()[:10]:
        location = ".".join(str(part) for part in error["loc"])
        problems.append(f"{location}: {error['msg']}")
    return f"invalid {name}: " + "; ".join(problems)
