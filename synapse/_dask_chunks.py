"""The worker side of ``synapse.dask.upload_many``: one chunk of items, its units created once.

A chunk runs ``collection.upload_many`` on its items, which makes a re-run of a *failed* call
repeat nothing (files by checksum, chunked uploads resumed, units journaled), but forgets its
journal once it succeeds. Across a cluster a chunk can run again after that: the user re-runs
the whole call because another chunk (or another item of this one) failed, or dask recomputes
the task because the worker holding its result died. So a chunk records, item by item, the
units it created (see :class:`Record`) in the cache folder, and a chunk that finds its record
fetches those units instead of uploading. The driver forgets the records once the whole call
succeeded.
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
    """A chunk's units (pickled; None for failed items), its failures and the name of its record."""

    units: bytes
    failures: tuple[tuple[str, str], ...]
    record: str


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
    """Upload one chunk on this worker, fetching instead the units an earlier run of it recorded."""
    session = chunk.session_spec.session() if chunk.session_spec is not None else get_session()
    with session:
        collection = pickle.loads(chunk.collection)
        items = list(chunk.items)
        record = Record(session.base_url, collection.id, chunk)
        units: list[DataUnit | None] = [None] * len(items)
        earlier = record.load()
        if earlier:
            found = DataUnit.all().in_bulk(earlier.values())
            units = [found.get(earlier.get(key)) for key in record.keys]  # a unit deleted since is made again
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
            record.save({key: unit.id for key, unit in zip(record.keys, units, strict=True) if unit is not None})
        return Outcome(pickle.dumps(units), tuple(failures), record.name)


def forget(names: list[str]) -> int:
    """Drop these chunk records from this machine's cache folder; how many were there."""
    dropped = 0
    for name in names:
        with contextlib.suppress(OSError):
            _path(name).unlink()
            dropped += 1
    return dropped


class Record:
    """The units a chunk created, by item: the file is named after the chunk's place in its call (backend,
    collection, project, first index, length), the entries after each item (index, files with their size and
    modification time, meta, groups), so an item whose file changed is uploaded anew."""

    def __init__(self, base_url: str, collection_id: Any, chunk: Chunk) -> None:
        project = chunk.options.get("project")
        place = [base_url, str(collection_id), getattr(project, "id", project), chunk.start, len(chunk.items)]
        self.name = _digest(place)
        self.keys = [_digest([chunk.start + i, _identity(item)]) for i, item in enumerate(chunk.items)]

    def load(self) -> dict[str, Any]:
        try:
            data = json.loads(_path(self.name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        units = data.get("units") if isinstance(data, dict) else None
        return {key: pk for key, pk in units.items() if key in self.keys} if isinstance(units, dict) else {}

    def save(self, units: dict[str, Any]) -> None:
        """A failed write only costs the check on a later run, so it is not fatal."""
        if units:
            with contextlib.suppress(OSError):
                write_json_atomic(_path(self.name), {"units": units})


def _identity(item: dict[str, Any]) -> dict[str, Any]:
    files = {}
    for name, path in item["files"].items():
        try:
            stat = os.stat(path)
            files[name] = [os.path.abspath(path), stat.st_size, stat.st_mtime_ns]
        except OSError:
            files[name] = [os.path.abspath(path), None, None]
    return {"files": files, "meta": item.get("meta"), "groups": item.get("groups")}


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, default=str, sort_keys=True).encode()).hexdigest()[:40]


def _path(name: str) -> Path:
    return cache_root() / "dask-chunks" / f"{name}.json"
