"""Small helpers shared by the resource modules: id lists and batching."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..errors import InvalidInputError
from ..orm.queryset import QuerySet
from ..orm.resource import Resource
from ..transport.paths import check_id

ID_BATCH = 1000
"""How many ids one bulk request (set_tags, task creation) carries at most."""


def ids_of(items: Any, model: type[Resource], what: str) -> list[int | str]:
    """Ids from objects, ids or a queryset (walked for ids only, with ``fields=id``)."""
    if isinstance(items, QuerySet):
        return [row["id"] for row in items.only("id").values()]
    if isinstance(items, (Resource, int, str)):
        items = [items]
    if not isinstance(items, Iterable):
        raise InvalidInputError(None, f"{what} must be {model.__name__} objects, ids or a queryset")
    ids: list[int | str] = []
    for item in items:
        if isinstance(item, Resource):
            if not isinstance(item, model):
                raise InvalidInputError(None, f"{what} must be {model.__name__} objects, not {type(item).__name__}")
            ids.append(item._require_id())
        else:
            ids.append(check_id(item, f"{model.__name__} id"))
    return list(dict.fromkeys(ids))


def batches(items: list[Any], size: int = ID_BATCH) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
