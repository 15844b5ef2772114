"""Storages: where the platform keeps files (internal) or reads them from (external providers)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ..enums import StorageCategory, StorageProvider
from ..errors import ResponseError
from ..orm.resource import Resource
from ..transport.defaults import get_session
from ..transport.session import Session


class Storage(
    Resource,
    path="storages/",
    repr=("name", "category", "provider"),
    get_params=("with_configuration",),
    filters=("category",),
):
    """A storage location. ``configuration`` (credentials, bucket...) comes only with
    ``Storage.get(id, with_configuration=True)``, which always sends a request."""

    name: str | None = None
    category: StorageCategory | None = None
    provider: StorageProvider | str | None = Field(None, union_mode="left_to_right")
    configuration: dict[str, Any] | None = None
    is_default: bool | None = None

    @classmethod
    def default(cls, *, session: Session | None = None) -> Storage | None:
        """Where uploads go unless told otherwise: see :func:`default_storage`."""
        session = session or get_session()
        found = default_storage(session)
        return None if found is None else cls._from_server(found, session)


def default_storage(session: Session) -> dict[str, Any] | None:
    """The internal storage marked ``is_default``, else the first internal one, else None, as sent.

    Walks the internal storages until the default one (every page if need be, so a default
    storage past the first page is still found).
    """
    first: dict[str, Any] | None = None
    for row in Storage.using(session).filter(category=StorageCategory.INTERNAL).values():
        if not isinstance(row, dict):
            raise ResponseError(None, f"expected storage objects in the storages page, got {type(row).__name__}")
        if row.get("is_default"):
            return row
        if first is None:
            first = row
    return first
