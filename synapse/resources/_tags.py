"""Tagging tasks and assignments through their ``set_tags/`` endpoints (a capability mixin).

One request tags many objects, so the class methods take objects, ids or a whole queryset;
the instance methods are the one-object case and also update the object's ``tag_ids`` locally.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..orm.identity import identity_map
from ..orm.relations import ManyToMany, resolve
from ..orm.resource import Resource
from ..orm.routes import family_action_path
from ..transport.defaults import get_session
from ..transport.session import Session
from ._common import batches, ids_of

if TYPE_CHECKING:
    from .tasks import TaskTag


class Taggable(Resource):
    """A capability: ``tags`` (TaskTag objects; ids in ``tag_ids``) set through ``<path>set_tags/``."""

    tags: ManyToMany[TaskTag] = ManyToMany("TaskTag")

    def add_tags(self, *tags: Any) -> None:
        """Add tags (TaskTag objects or ids) to this object: one request."""
        self._set_tags(tags, "add")

    def remove_tags(self, *tags: Any) -> None:
        """Remove tags (TaskTag objects or ids) from this object: one request."""
        self._set_tags(tags, "remove")

    @classmethod
    def add_tags_to(cls, objects: Any, tags: Any, *, session: Session | None = None) -> int:
        """Add ``tags`` to many objects (objects, ids or a queryset); returns how many were targeted."""
        return cls._bulk_tags(objects, tags, "add", session)

    @classmethod
    def remove_tags_from(cls, objects: Any, tags: Any, *, session: Session | None = None) -> int:
        """Remove ``tags`` from many objects (objects, ids or a queryset); returns how many were targeted."""
        return cls._bulk_tags(objects, tags, "remove", session)

    @classmethod
    def _bulk_tags(cls, objects: Any, tags: Any, action: str, session: Session | None) -> int:
        session = session or getattr(objects, "bound", None) or get_session()
        tag_ids = ids_of(tags, resolve("TaskTag"), "tags")
        ids = ids_of(objects, cls, f"{cls.__name__} objects")
        identity = identity_map(session)
        for batch in batches(ids):
            body = {"ids": batch, "tags": tag_ids, "action": action}
            session.request("POST", family_action_path(cls, "set_tags"), json=body)
            for pk in batch:
                identity.expire(cls, pk)
        return len(ids)

    def _set_tags(self, tags: tuple[Any, ...], action: str) -> None:
        session = self._bound_session()
        tag_ids = ids_of(list(tags), resolve("TaskTag"), "tags")
        pk = self._require_id()
        body = {"ids": [pk], "tags": tag_ids, "action": action}
        session.request("POST", family_action_path(type(self), "set_tags"), json=body)
        identity_map(session).expire(type(self), pk)
        current = self.tag_ids
        if current is not None and "tag_ids" not in self.changed_fields():
            new = (
                current + [t for t in tag_ids if t not in current]
                if action == "add"
                else [t for t in current if t not in tag_ids]
            )
            self._accept({"id": pk, "tags": new}, session)
