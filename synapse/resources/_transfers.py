"""The resource layer's side of :mod:`synapse.transfers`, which works on dicts and paths only.

Transfers may not import the object model, so the resource classes hand them what they need
(API paths, the page walker) and turn the dicts that come back, in results and in errors, into
objects. ``DataFile.download`` and ``Model.download`` share :func:`download_file`.

The transfer modules (hashing, journals, thread pools, multipart) are imported where they are
used, in this module and in the resource methods: ``from synapse import Task`` should not pay
for uploads it may never make.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ..errors import BulkCreateError, InvalidInputError, UploadError
from ..orm import pagination
from ..orm.pagination import page_url
from ..orm.relations import resolve
from ..orm.resource import Resource
from ..transport.envelope import Page, parse_page
from ..transport.session import Session

if TYPE_CHECKING:
    from ..transfers.bulk import Walk
    from ..transfers.creates import Paths
    from ..transfers.progress import ProgressSpec

R = TypeVar("R", bound=Resource)
_MD5 = re.compile(r"[0-9a-fA-F]{32}")


def transfer_paths() -> Paths:
    """Where tasks and data units live, read from their declarations."""
    from ..transfers.creates import Paths

    unit, task = resolve("DataUnit")._meta, resolve("Task")._meta
    return Paths(units=unit.path, units_list=unit.list_path, tasks=task.path, tasks_list=task.list_path)


def walker(session: Session) -> Walk:
    """Every item of a listing (as dicts), through the object model's checked page walker."""

    def fetch(target: str, params: Mapping[str, Any] | None) -> Page:
        return parse_page(session.request("GET", target, params=params), page_url(session, target, params))

    def walk(path: str, params: Any) -> Iterator[Any]:
        for page in pagination.walk(session, fetch, path, params or {}, prefetch=pagination.DEFAULT_PREFETCH):
            yield from page.results

    return walk


@contextmanager
def as_objects(cls: type[Resource], session: Session) -> Iterator[None]:
    """Turn the dicts in the ``results`` of an :class:`UploadError`/:class:`BulkCreateError` into objects."""
    try:
        yield
    except (UploadError, BulkCreateError) as exc:
        exc.results = [cls._from_server(r, session) if isinstance(r, dict) else None for r in exc.results]
        raise


def objects(cls: type[R], replies: list[dict[str, Any]], session: Session) -> list[R]:
    """The replies as objects of ``cls`` bound to ``session``."""
    return [cls._from_server(reply, session) for reply in replies]


def check_batch_size(value: Any) -> int:
    """``value`` if it is a positive int, else :class:`InvalidInputError` before anything is sent."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInputError(None, f"batch_size must be a positive int, got {value!r}")
    return value


def download_file(resource: Resource, dest: str | os.PathLike[str], *, progress: ProgressSpec, overwrite: bool) -> Path:
    """Fetch a resource's ``file`` URL, checked against its ``size`` and ``checksum`` (an MD5) when it has them."""
    url = getattr(resource, "file", None)
    if not url:
        raise InvalidInputError(None, f"{resource!r} has no file URL; refresh() it or check its upload")
    size = getattr(resource, "size", None)
    checksum = getattr(resource, "checksum", None)
    from ..transfers.downloads import download

    return download(
        resource._bound_session(),
        url,
        dest,
        progress=progress,
        overwrite=overwrite,
        size=size if isinstance(size, int) and not isinstance(size, bool) else None,
        md5=checksum if isinstance(checksum, str) and _MD5.fullmatch(checksum) else None,
    )
