"""What every BackendClient method family shares: argument checks and GET/send/list plumbing.

The facade is split into one mixin per family (as the seed's client was); each mixin
builds on :class:`ClientBase`, which only knows the session.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from ..errors import InvalidInputError
from ..orm.resource import Resource
from ..orm.routes import action_path, detail_path, does_not_exist
from ..transport.session import Session
from ..transport.settings import Timeouts
from ._listing import list_all as _list_all

JSON = Any
"""Decoded JSON exactly as the server sent it (a dict, a list, text, or None for 204)."""
Listing = Any
"""A page dict, or ``(iterator, count)`` when called with ``list_all=True``."""
UrlConversion = Mapping[str, Any] | Literal[False] | None
"""Contract form ``{"files_fields", "is_list", "coerce"}`` or the seed's ``{field: callable}``;
``None`` means the method's default, ``False`` none."""

FILES_PER_ITEM: Mapping[str, Any] = {"files_fields": ["files"], "is_list": True}
"""Default conversion of the listings whose items carry a ``files`` dict (downloaded in list_all mode)."""


def payload(data: object, name: str = "data") -> Any:
    """The JSON body as given; anything but an object or a list is refused before sending."""
    if isinstance(data, Mapping):
        return dict(data)
    if isinstance(data, list):
        return data
    raise InvalidInputError(None, f"{name} must be a dict or a list, not {type(data).__name__}")


def query(params: object) -> dict[str, Any]:
    """A copy of the caller's query params (so defaults can be added without changing them)."""
    if params is None:
        return {}
    if not isinstance(params, Mapping):
        raise InvalidInputError(None, f"params must be a dict, not {type(params).__name__}")
    return dict(params)


def object_arg(data: object, name: str = "data") -> dict[str, Any]:
    """A copy of a dict argument, so popping fields never changes the caller's dict."""
    if not isinstance(data, Mapping):
        raise InvalidInputError(None, f"{name} must be a dict, not {type(data).__name__}")
    return dict(data)


class ClientBase:
    """The session and the request shapes every family method reduces to.

    Paths come from the families' declarations (:mod:`synapse.orm.routes`), so an id is checked
    and a missing object fails exactly as it does for ``Family.get``.
    """

    session: Session

    def _get(self, path: str, params: Mapping[str, Any] | None = None, read_timeout: float | None = None) -> JSON:
        return self.session.request("GET", path, params=params, timeout=self._timeouts(read_timeout))

    def _send(self, method: str, path: str, data: object, params: Mapping[str, Any] | None = None) -> JSON:
        return self.session.request(method, path, params=params, json=payload(data))

    def _retrieve(
        self, family: type[Resource], pk: Any, params: Mapping[str, Any] | None = None, action: str | None = None
    ) -> JSON:
        """GET one object (or one of its actions) as sent; a 404 raises ``family.DoesNotExist``."""
        path = detail_path(family, pk) if action is None else action_path(family, pk, action)
        with does_not_exist(family):
            return self._get(path, params)

    def _write(
        self,
        method: str,
        family: type[Resource],
        pk: Any,
        data: object,
        params: Mapping[str, Any] | None = None,
        action: str | None = None,
    ) -> JSON:
        """Send ``data`` to one object (or one of its actions); a 404 raises ``family.DoesNotExist``."""
        path = detail_path(family, pk) if action is None else action_path(family, pk, action)
        with does_not_exist(family):
            return self._send(method, path, data, params)

    def _timeouts(self, read_timeout: float | None) -> Timeouts | None:
        return None if read_timeout is None else self.session.timeouts.with_read(read_timeout)

    def _list(
        self,
        path: str,
        params: Mapping[str, Any] | None,
        list_all: bool,
        url_conversion: UrlConversion = None,
        default_conversion: Mapping[str, Any] | None = None,
        page_size: int | None = None,
        read_timeout: float | None = None,
        **per_page: Any,
    ) -> Listing:
        """One page as sent, or with ``list_all`` the ``(iterator, count)`` walk (conversion applies there only)."""
        sent = query(params)
        if page_size is not None:
            sent.setdefault("page_size", page_size)
        if not list_all:
            return self._get(path, sent, read_timeout)
        conversion = default_conversion if url_conversion is None else url_conversion or None
        return _list_all(
            self.session, path, sent, url_conversion=conversion, timeout=self._timeouts(read_timeout), **per_page
        )
