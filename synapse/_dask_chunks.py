"""The worker side of ``synapse.dask.upload_many``: one chunk of items, its units created once.

A chunk runs ``collection.upload_many`` on its items, which makes a re-run of a *failed* call
repeat nothing (files by checksum, chunked uploads resumed, units journaled), but forgets its
journal once it succeeds. Across a cluster a chunk that succeeded can still run again: the user
re-runs the whole call because another chunk failed, or dask recomputes the task because the
worker holding its result died. So a chunk that succeeds records its unit ids in the cache
folder, under a key made of the backend, the collection, the chunk's place and its items (file
paths, sizes and modification times, meta, groups); a chunk that finds its record fetches those
units instead of uploading. The driver forgets the records once the whole call succeeded.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ClientError, InvalidInputError, UploadError
from .resources.data import DataUnit
from .transfers._journal import cache_root, write_json_atomic
from .transport.defaults import get_session
from .transport.spec import SessionSpec

_ITEM = re.compile(r"^item (\d+)(.*)$", re.DOTALL)


@dataclass(frozen=True)
class Chunk:
    """Items ``start`` to ``start + len(items)`` of a call, with what a worker needs to upload them."""

    start: int
    items: tuple[dict[str, Any], ...]
    collection: bytes
    options: dict[str, Any]
    session_spec: SessionSpec | None


@dataclass(frozen=True)
class Outcome:
    """A chunk's units (pickled; None for failed items), its failures and its record's key."""

    units: bytes
    failures: tuple[tuple[str, str], ...]
    key: str | None


def plain_item(index: int, item: Any) -> dict[str, Any]:
    """An item as plain data for the trip to a worker; malformed items are refused before any upload."""
    if not isinstance(item, Mapping) or not isinstance(item.get("files"), Mapping) or not item["files"]:
        raise InvalidInputError(None, f"item {index}: expected a dict with 'files': {{specification name: path}}")
    files = {}
    for name, path in item["files"].items():
        if isinstance(path, bool) or not isinstance(path, (str, os.PathLike)):
            raise InvalidInputError(None, f"item {index}: file {name!r} must be a path, not {type(path).__name__}")
        files[str(name)] = os.fspath(path)
    return {**item, "files": files}


def renumber(path: str, index: Callable[[int], int]) -> str:
    """A failure's ``item N ...`` label with ``N`` mapped to another numbering."""
    match = _ITEM.match(path)
    return f"item {index(int(match[1]))}{match[2]}" if match else path


def run(chunk: Chunk) -> Outcome:
    """Upload one chunk on this worker (or fetch the units an earlier run of it created)."""
    session = chunk.session_spec.session() if chunk.session_spec is not None else get_session()
    with session:
        collection = pickle.loads(chunk.collection)
        items = list(chunk.items)
        key = _key(session.base_url, collection.id, chunk)
        units: list[DataUnit | None] = [None] * len(items)
        recorded = _load(key, len(items)) if key is not None else None
        if recorded is not None:
            found = DataUnit.all().in_bulk(recorded)
            units = [found.get(pk) for pk in recorded]  # a unit deleted since is made again
        failures: list[tuple[str, str]] = []
        todo = []
        for i, unit in enumerate(units):
            if unit is None:
                try:
                    collection.check_files(items[i]["files"])  # an item missing here fails alone
                    todo.append(i)
                except InvalidInputError as exc:
                    failures.append((f"item {i}", str(exc.detail)))
        if todo:
            try:
                made = collection.upload_many([items[i] for i in todo], **chunk.options)
            except UploadError as exc:
                made = exc.results
                failures.extend((renumber(f.path, todo.__getitem__), f.reason) for f in exc.failures)
            except ClientError as exc:
                made = [None] * len(todo)
                failures.extend((f"item {i}", str(exc)) for i in todo)
            for i, unit in zip(todo, made, strict=True):
                units[i] = unit
        if failures or key is None:
            return Outcome(pickle.dumps(units), tuple(failures), None)
        _save(key, [unit.id for unit in units if unit is not None])
        return Outcome(pickle.dumps(units), (), key)


def forget(keys: list[str]) -> int:
    """Drop these chunk records from this machine's cache folder; how many were there."""
    dropped = 0
    for key in keys:
        with contextlib.suppress(OSError):
            _path(key).unlink()
            dropped += 1
    return dropped


def _key(base_url: str, collection_id: Any, chunk: Chunk) -> str | None:
    """The chunk's identity, or None when a file cannot be looked at (``upload_many`` will say why)."""
    identities = []
    try:
        for item in chunk.items:
            files = {}
            for name, path in item["files"].items():
                stat = os.stat(path)
                files[name] = [os.path.abspath(path), stat.st_size, stat.st_mtime_ns]
            identities.append({"files": files, "meta": item.get("meta"), "groups": item.get("groups")})
    except OSError:
        return None
    project = chunk.options.get("project")
    project_id = getattr(project, "id", project)
    source = json.dumps([base_url, str(collection_id), project_id, chunk.start, identities], default=str)
    return hashlib.sha256(source.encode()).hexdigest()[:40]


def _path(key: str) -> Path:
    return cache_root() / "dask-chunks" / f"{key}.json"


def _load(key: str, count: int) -> list[Any] | None:
    try:
        data = json.loads(_path(key).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    units = data.get("units") if isinstance(data, dict) else None
    if not isinstance(units, list) or len(units) != count:
        return None
    return units


def _save(key: str, ids: list[Any]) -> None:
    """Record the chunk's units; a failed write only costs the check on a later run, so it is not fatal."""
    with contextlib.suppress(OSError):
        write_json_atomic(_path(key), {"units": ids})
