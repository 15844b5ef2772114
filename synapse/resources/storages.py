"""Storages: where the platform keeps files (internal) or reads them from (external providers)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ..enums import StorageCategory, StorageProvider
from ..orm.resource import Resource


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
