"""Tagging tasks and assignments through their ``set_tags/`` endpoints.

One request tags many objects, so the class methods take objects, ids or a whole queryset;
the instance methods are the one-object case and also update the object's ``tags`` locally.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ..orm.identity import identity_map
from ..orm.resource import Resource
from ..transport.session import Session
from ._common import batches, ids_of


class Taggable(Resource):
    """A resource whose ``tags`` are set through ``<api_path>set_tags/``."""

    tags: list[Any] | None = None

    _tag_model: ClassVar[str] = "TaskTag"

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
        from ..orm.relations import resolve
        from ..transport.session import get_session

        session = session or getattr(objects, "session", None) or get_session()
        tag_ids = ids_of(tags, resolve(cls._tag_model), "tags")
        ids = ids_of(objects, cls, f"{cls.__name__} objects")
        for batch in batches(ids):
            session.request("POST", f"{cls.api_path}set_tags/", json={"ids": batch, "tags": tag_ids, "action": action})
            for pk in batch:
                identity_map(session).expire(cls, pk)
        return len(ids)

    def _set_tags(self, tags: tuple[Any, ...], action: str) -> None:
        from ..orm.relations import resolve

        session = self._bound_session()
        tag_ids = ids_of(list(tags), resolve(self._tag_model), "tags")
        pk = self._require_id()
        session.request("POST", f"{self.api_path}set_tags/", json={"ids": [pk], "tags": tag_ids, "action": action})
        identity_map(session).expire(type(self), pk)
        if self.tags is not None and "tags" not in self.changed_fields():
            current = [t.get("id") if isinstance(t, dict) else t for t in self.tags]
            if action == "add":
                new = current + [t for t in tag_ids if t not in current]
            else:
                new = [t for t in current if t not in tag_ids]
            self._merge({"tags": new}, {}, keep_local_edits=False)
