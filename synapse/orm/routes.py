"""Where a family's objects live on the API, and what a 404 about one of them means.

Every path to one object or one of its actions is derived here from the family's declaration
(``cls._meta.path``), so the object model and the ``BackendClient`` facade cannot disagree on
a route, on how an id or a ``code@version`` lookup is put into it, or on the error a missing
object raises.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ..errors import InvalidInputError, NotFoundError
from ..transport.paths import check_id

if TYPE_CHECKING:
    from .resource import Resource

MAX_LOOKUP = 300
"""Longest ``code@version`` lookup accepted in a path (codes and versions are short slugs)."""


def detail_path(cls: type[Resource], pk: Any) -> str:
    """``<path><id>/``; a ``code@version`` lookup is percent-encoded except for ``@`` (codes may hold ``/``)."""
    if isinstance(pk, str) and "@" in pk and "code@version" in cls._meta.lookups:
        if not pk.strip() or not pk.isprintable() or len(pk) > MAX_LOOKUP:
            raise InvalidInputError(None, f"invalid {cls.__name__} lookup {pk!r}")
        return f"{cls._meta.path}{quote(pk, safe='@')}/"
    return f"{cls._meta.path}{check_id(pk, f'{cls.__name__} id')}/"


def action_path(cls: type[Resource], pk: Any, action: str) -> str:
    """``<path><id>/<action>/``: an action on one object (``tasks/1/annotate_task_data/``)."""
    return f"{detail_path(cls, pk)}{action}/"


def family_action_path(cls: type[Resource], action: str) -> str:
    """``<path><action>/``: an action on many objects of the family at once (``tasks/set_tags/``)."""
    return f"{cls._meta.path}{action}/"


@contextlib.contextmanager
def does_not_exist(cls: type[Resource], detail: str | None = None) -> Iterator[None]:
    """Inside the block, the backend's 404 becomes ``cls.DoesNotExist`` (still a NotFoundError).

    The status, URL and hint of the 404 are kept; ``detail`` replaces the server's message
    where ours says more (an agent token that matched nothing).
    """
    try:
        yield
    except NotFoundError as exc:
        if isinstance(exc, cls.DoesNotExist):
            raise
        message = exc.detail if detail is None else detail
        raise cls.DoesNotExist(404, message, method=exc.method, url=exc.url, hint=exc.hint) from None
