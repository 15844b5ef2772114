"""Storages: where the platform keeps files (internal) or reads them from (external providers)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from ..enums import StorageCategory, StorageProvider
from ..orm.resource import Resource
from ..transport.session import Session
from ._common import enum_or_str

if TYPE_CHECKING:
    from typing_extensions import Self


class Storage(Resource):
    """A storage location. ``configuration`` (credentials, bucket...) is only sent on request."""

    api_path: ClassVar[str] = "storages/"
    repr_fields: ClassVar[tuple[str, ...]] = ("name", "category", "provider")
    converters = {"category": enum_or_str(StorageCategory), "provider": StorageProvider.parse}

    name: str | None = None
    category: StorageCategory | str | None = None
    provider: StorageProvider | str | None = None
    configuration: dict[str, Any] | None = None
    is_default: bool | None = None

    @classmethod
    def get(
        cls,
        pk: Any,
        *,
        refresh: bool = False,
        session: Session | None = None,
        with_configuration: bool = False,
        **params: Any,
    ) -> Self:
        """One storage; ``with_configuration=True`` also fetches its configuration (always a request)."""
        if with_configuration:
            params["with_configuration"] = True
        return super().get(pk, refresh=refresh, session=session, **params)
