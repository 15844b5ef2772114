"""The active-record base class every resource family derives from.

A resource is a pydantic model (``extra="allow"``: new server fields never break us; assignments
are validated, so a wrong type is refused before anything is sent) plus a place in the API
(its :class:`~synapse.orm.declare.Declaration`), identity through the session's
:class:`~synapse.orm.identity.IdentityMap`, change tracking (:mod:`synapse.orm._state`) and
``get/all/filter/create/save/refresh/delete``.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from enum import Enum
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import pydantic
from pydantic import BaseModel, ConfigDict
from pydantic_core import PydanticSerializationError

from ..errors import InvalidInputError, NotFoundError, ReadOnlyFieldError
from ..transport.defaults import get_session
from ..transport.session import Session
from . import _persist
from ._meta import ResourceMeta, public_names
from ._state import MISSING, State, changed, current, not_loaded, remember, state_of
from .declare import Declaration
from .relations import BelongsTo, HasMany, ManyToMany
from .routes import detail_path

if TYPE_CHECKING:
    from typing_extensions import Self

    from .queryset import QuerySet

R = TypeVar("R", bound="Resource")


class Resource(BaseModel, metaclass=ResourceMeta):
    """Base of every Synapse object. A family declares ``path=`` and its fields (see ``synapse.orm.declare``)."""

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
        validate_assignment=True,
        protected_namespaces=(),
        ignored_types=(BelongsTo, ManyToMany, HasMany),
        arbitrary_types_allowed=True,
        defer_build=True,  # validators are built on first use, so importing the families stays cheap
    )

    _meta: ClassVar[Declaration]
    _relations: ClassVar[dict[str, BelongsTo[Any] | ManyToMany[Any]]] = {}
    _alias_to_field: ClassVar[dict[str, str]] = {}
    DoesNotExist: ClassVar[type[NotFoundError]] = NotFoundError

    id: int | None = None

    def __init__(self, **fields: Any) -> None:
        """Build a new, unsaved object. Relations take an object or an id (``project=p``)."""
        related: dict[str, Resource] = {}
        for relation in type(self)._relations.values():
            if not isinstance(relation, BelongsTo):
                continue
            value = fields.get(relation.name)
            if isinstance(value, Resource):
                related[relation.name] = fields.pop(relation.name)
                fields[relation.id_attr] = value.id
        try:
            super().__init__(**fields)
        except pydantic.ValidationError as exc:
            raise InvalidInputError(None, _validation_message(type(self).__name__, exc)) from None
        state = State(None)
        state.related = related or None
        object.__setattr__(self, "__pydantic_private__", state)

    # Objects built from answers are made by pydantic-core directly (see ``_build``); marking this
    # constructor as pydantic's own keeps it out of that path, where it would run once per row.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    # -- state -----------------------------------------------------------------------------

    def _bound_session(self) -> Session:
        """The session that loaded this object, else the current one (which it then keeps)."""
        state = state_of(self)
        if state.session is None:
            state.session = get_session()
        return state.session

    def _relate(self, name: str, obj: Resource | None) -> None:
        state = state_of(self)
        if obj is None:
            if state.related:
                state.related.pop(name, None)
            return
        if state.related is None:
            state.related = {}
        state.related[name] = obj

    # -- attributes ------------------------------------------------------------------------

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_"):
            super().__setattr__(name, value)
            return
        cls = type(self)
        relation = getattr(cls, name, None)
        if isinstance(relation, BelongsTo):
            relation.__set__(self, value)
            return
        if name in cls._meta.read_only:
            raise ReadOnlyFieldError(None, f"{cls.__name__}.{name} is set by the server and cannot be changed")
        if state_of(self).clock:
            remember(self, name, current(self, name))  # MISSING: a name the server never sent
        try:
            super().__setattr__(name, value)
        except pydantic.ValidationError as exc:
            raise InvalidInputError(None, _validation_message(cls.__name__, exc)) from None

    def __getattr__(self, name: str) -> Any:
        """Extra server fields (snapshotted on first read), or a clear error for a field not loaded."""
        if not name.startswith("__"):
            extra = object.__getattribute__(self, "__pydantic_extra__")
            if extra and name in extra:
                value = extra[name]
                if state_of(self).clock:
                    remember(self, name, value)
                return value
            if name in type(self).model_fields:
                raise not_loaded(self, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __dir__(self) -> list[str]:
        """Fields, relations, extra server fields and public methods: what tab completion should offer."""
        cls = type(self)
        return sorted(public_names(cls) | set(cls.model_fields) | set(self.__pydantic_extra__ or {}))

    def __repr__(self) -> str:
        parts = [f"<{type(self).__name__}", str(self.id) if self.id is not None else "(unsaved)"]
        for name, value in self._shown():
            parts.append(f"{name}={value!r}")
        return " ".join(parts) + ">"

    __str__ = __repr__

    def _repr_html_(self) -> str:
        """A small table for notebooks: the repr fields, then every other loaded field."""
        shown = dict(self._shown())
        rest = [(k, v) for k, v in self._fields() if k not in shown and k != "id"]
        rows = "".join(
            f"<tr><th style='text-align:left'>{html.escape(str(k))}</th><td>{html.escape(_short(v))}</td></tr>"
            for k, v in [("id", self.id), *shown.items(), *rest]
        )
        return f"<table><caption>{html.escape(type(self).__name__)}</caption>{rows}</table>"

    def _shown(self) -> Iterator[tuple[str, Any]]:
        meta = getattr(type(self), "_meta", None)
        for name in meta.repr_fields if meta else ():
            relation = type(self)._relations.get(name)
            attr = relation.id_attr if isinstance(relation, BelongsTo) else name
            value = current(self, attr)
            if isinstance(value, Enum):
                value = value.value
            if value is not None and value is not MISSING:
                yield name, value

    def _fields(self) -> Iterator[tuple[str, Any]]:
        """Loaded fields under their wire names, except those declared ``repr=False`` (secrets such as tokens)."""
        infos = type(self).model_fields
        for name, value in self.__dict__.items():
            info = infos.get(name)
            if info is None or info.repr:
                yield (info.alias or name) if info else name, value
        yield from (self.__pydantic_extra__ or {}).items()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Resource):
            return NotImplemented
        if self.id is None or other.id is None:
            return self is other
        return type(self)._meta is type(other)._meta and self.id == other.id

    def __hash__(self) -> int:
        return hash((type(self)._meta.name, self.id)) if self.id is not None else id(self)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle as (class, server state, unsaved edits): no session, no credentials."""
        return _persist.reduce(self)

    def __copy__(self) -> Self:
        """A detached, unsaved copy (no id): copying a server object must not create a second identity."""
        values = {k: v for k, v in self.model_dump(by_alias=False).items() if k != "id"}
        return type(self)(**values)

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> Self:
        return self.__copy__()

    # -- dirty tracking ------------------------------------------------------------------------

    def changed_fields(self) -> set[str]:
        """Fields whose value differs from the last server state (in-place edits included)."""
        return changed(self)

    @property
    def is_dirty(self) -> bool:
        return bool(changed(self))

    def model_dump(self, **kwargs: Any) -> dict[str, Any]:
        """Fields keyed as the server names them (``project``, not ``project_id``), loaded fields only."""
        kwargs.setdefault("by_alias", True)
        loaded = state_of(self).loaded
        if loaded is not None and "include" not in kwargs:
            kwargs["include"] = set(loaded) | set(self.__pydantic_extra__ or {})
        return super().model_dump(**kwargs)

    def to_wire(self, fields: set[str] | None = None) -> dict[str, Any]:
        """Field values keyed as the server names them, as JSON values (date-times as ISO 8601)."""
        names = set(self.__dict__) | set(self.__pydantic_extra__ or {}) if fields is None else fields
        try:
            dumped: dict[str, Any] = super().model_dump(mode="json", by_alias=True, include=names)
        except PydanticSerializationError as exc:
            raise InvalidInputError(None, f"{type(self).__name__} cannot be sent as JSON: {exc}") from None
        return dumped

    # -- class-level API ------------------------------------------------------------------------

    @classmethod
    def get(cls, pk: Any = None, /, *, refresh: bool = False, session: Session | None = None, **options: Any) -> Self:
        """One object: by id (or a declared lookup such as a plugin's code), or by filters.

        ``Project.get(1)`` returns a fresh cached object without a request; ``get(1, refresh=True)``
        always asks. ``Task.get(project=3, data_unit=7)`` is ``Task.filter(...).get()``: exactly one
        match, else ``DoesNotExist`` / ``MultipleObjectsReturned``.
        """
        return _persist.get(cls, pk, refresh=refresh, session=session, options=options)

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
        return cls.all().using(session)

    @classmethod
    def create(cls, *, session: Session | None = None, **fields: Any) -> Self:
        """Build and save a new object in one call."""
        obj = cls(**fields)
        if session is not None:
            state_of(obj).session = session
        return obj.save()

    @classmethod
    def get_or_create(
        cls, defaults: dict[str, Any] | None = None, *, session: Session | None = None, **lookups: Any
    ) -> tuple[Self, bool]:
        """``(object, created)``: the one object matching ``lookups``, else a new one saved with
        ``lookups`` and ``defaults``. Not atomic: two callers at once may both create."""
        query = cls.all() if session is None else cls.using(session)
        return query.get_or_create(defaults, **lookups)

    # -- instance API -----------------------------------------------------------------------------

    def save(self) -> Self:
        """POST a new object, or PATCH only the changed fields; nothing changed sends nothing."""
        return _persist.save(self)

    def refresh(self) -> Self:
        """Reload from the server, dropping unsaved local edits."""
        return _persist.refresh(self)

    def delete(self) -> None:
        """Delete on the server and forget the object in the identity map."""
        _persist.delete(self)

    def api_url(self) -> str:
        """This object's detail path, relative to the base URL."""
        return detail_path(type(self), self._require_id())

    @classmethod
    def _from_server(cls, data: Any, session: Session) -> Self:
        """The live object for an answered object (for actions whose replies are objects of this family)."""
        return _persist.answered(cls, data, session)

    def _accept(self, data: Any, session: Session) -> None:
        """Take an action's reply about this object as the server's new state (local edits of its fields go)."""
        _persist.accept_reply(self, data, session)

    def _require_id(self) -> int | str:
        if self.id is None:
            raise InvalidInputError(None, f"this {type(self).__name__} is not saved yet; call save() first")
        return self.id


def _short(value: Any, limit: int = 80) -> str:
    text = str(value.value) if isinstance(value, Enum) else repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _validation_message(name: str, exc: pydantic.ValidationError) -> str:
    problems = []
    for error in exc.errors()[:10]:
        location = ".".join(str(part) for part in error["loc"])
        problems.append(f"{location}: {error['msg']}")
    return f"invalid {name}: " + "; ".join(problems) + "; nothing was sent"
