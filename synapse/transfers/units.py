"""Uploading data units: every distinct file once, then the units (and their tasks) in batches.

The one implementation behind ``DataCollection.upload_many`` and the facade's
``upload_data_collection``; it works on dicts and paths, and the resource layer turns the
returned unit dicts into objects. An item whose file, unit or task failed is reported in
:class:`UploadError` while the other items are still created (unless a unit batch is left in
doubt: nothing more is created until a re-run has looked it up). Running the same call again
repeats no completed work: files the server has are recognised by checksum, interrupted chunked
uploads continue, and units and tasks created (or possibly created) by the failed run are found
through the bulk journals instead of being created twice.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import InvalidInputError, UploadError, UploadFailure
from ..transport.session import Session
from . import uploads
from ._journal import BulkJournal
from .bulk import BulkCreate, Walk
from .creates import Paths, task_family, unit_family, unit_payload
from .progress import ProgressSpec

__all__ = ["upload_units"]


def upload_units(
    session: Session,
    collection_id: int | str,
    items: Sequence[Mapping[str, Any]],
    *,
    paths: Paths,
    walk: Walk,
    project_id: int | str | None = None,
    workers: int = 8,
    batch_size: int = 1000,
    progress: ProgressSpec = None,
    resume: bool = True,
    chunked: bool | None = None,
) -> list[dict[str, Any]]:
    """Upload ``{"files": {name: path}, "meta", "groups"}`` items; the created units' dicts in input order.

    With ``project_id`` every unit also gets a task. When any item fails, :class:`UploadError`
    carries ``failures`` (naming the item) and ``results`` (a unit dict or None per item).
    """
    files = [_paths(item, index, collection_id) for index, item in enumerate(items)]
    uploaded, failures = _upload_files(session, files, workers, progress, resume, chunked)
    ready = [i for i in range(len(items)) if i not in failures]
    payloads = [unit_payload({**items[i], "files": _file_refs(files[i], uploaded)}, collection_id) for i in ready]
    fingerprints = BulkJournal.fingerprints([_identity(p, files[i]) for p, i in zip(payloads, ready, strict=True)])
    family = unit_family(session, collection_id, paths)
    creator = BulkCreate(session, family, walk, payloads, fingerprints, [f"item {i}" for i in ready])
    tasks = _Tasks(session, project_id, paths, walk, creator, ready, failures) if project_id is not None else None
    outcome = creator.run(batch_size, tasks.create if tasks else None)
    for local, failure in outcome.failures.items():
        reason = f"creating the data unit failed: {failure.reason}"
        failures[ready[local]] = UploadFailure(failure.path, reason, failure.error, failure.in_doubt)
    if tasks is not None:
        untasked = [j for j, entry in outcome.adopted.items() if str(entry.get("project")) != str(project_id)]
        for start in range(0, len(untasked), batch_size):
            tasks.create(untasked[start : start + batch_size])
    results: list[dict[str, Any] | None] = [None] * len(items)
    for local, unit in enumerate(outcome.results):
        results[ready[local]] = unit
    if failures:
        raise UploadError(failures=[failures[i] for i in sorted(failures)], results=results)
    creator.forget()
    return [unit for unit in results if unit is not None]


class _Tasks:
    """The task step of a unit upload: one task per unit just created (or adopted without one)."""

    def __init__(
        self,
        session: Session,
        project_id: int | str,
        paths: Paths,
        walk: Walk,
        units: BulkCreate,
        ready: list[int],
        failures: dict[int, UploadFailure],
    ) -> None:
        self._session = session
        self._project_id = project_id
        self._family = task_family(session, project_id, paths)
        self._walk = walk
        self._units = units
        self._ready = ready
        self._failures = failures

    def create(self, batch: list[int]) -> None:
        """Create the tasks of units ``batch`` (indices into the unit creator), journaling the project."""
        units = [self._units.outcome.results[j] or {} for j in batch]
        entries = [{"data_unit": unit.get("id")} for unit in units]
        labels = [f"item {self._ready[j]}" for j in batch]
        creator = BulkCreate(
            self._session, self._family, self._walk, entries, BulkJournal.fingerprints(entries), labels
        )
        outcome = creator.run(len(entries))
        for local, failure in outcome.failures.items():
            reason = f"creating its task in project {self._project_id} failed: {failure.reason}"
            self._failures[self._ready[batch[local]]] = UploadFailure(
                failure.path, reason, failure.error, failure.in_doubt
            )
        if not outcome.failures:
            creator.forget()
        self._units.note([j for local, j in enumerate(batch) if outcome.results[local]], project=self._project_id)


def _upload_files(
    session: Session,
    files: list[dict[str, Path]],
    workers: int,
    progress: ProgressSpec,
    resume: bool,
    chunked: bool | None,
) -> tuple[dict[Path, dict[str, Any]], dict[int, UploadFailure]]:
    """Upload every distinct file once (skipping those the server has); map failures back to the items."""
    distinct = list(dict.fromkeys(path for item in files for path in item.values()))
    try:
        replies: list[dict[str, Any] | None] = list(
            uploads.upload_many(
                session,
                distinct,
                workers=workers,
                progress=progress,
                skip_existing=True,
                resume=resume,
                chunked=chunked,
            )
        )
        errors: dict[str, UploadFailure] = {}
    except UploadError as exc:
        replies = list(exc.results)
        errors = {failure.path: failure for failure in exc.failures}
    uploaded = {path: reply for path, reply in zip(distinct, replies, strict=True) if isinstance(reply, dict)}
    failures: dict[int, UploadFailure] = {}
    for index, item in enumerate(files):
        missing = {name: path for name, path in item.items() if path not in uploaded}
        if missing:
            causes = [errors.get(str(path)) for path in missing.values()]
            label = ", ".join(f"{name}={path}" for name, path in missing.items())
            reason = "; ".join(cause.reason if cause else "upload failed" for cause in causes)
            first = next((cause.error for cause in causes if cause is not None), None)
            failures[index] = UploadFailure(f"item {index} {label}", reason, first)
    return uploaded, failures


def _paths(item: Any, index: int, collection_id: int | str) -> dict[str, Path]:
    """One item's ``{name: path}``; an item that is not one (or whose meta or groups are wrong) is
    refused before anything is sent."""
    files = item.get("files") if isinstance(item, Mapping) else None
    if not isinstance(files, Mapping) or not files:
        raise InvalidInputError(None, f"item {index}: expected a dict with a non-empty 'files' dict of {{name: path}}")
    for name, path in files.items():
        if isinstance(path, bool) or not isinstance(path, (str, os.PathLike)):
            raise InvalidInputError(None, f"item {index}: file {name!r} must be a path, not {type(path).__name__}")
    try:
        unit_payload(item, collection_id)
    except InvalidInputError as exc:
        raise InvalidInputError(None, f"item {index}: {exc.detail}") from None
    return {str(name): Path(path) for name, path in files.items()}


def _identity(payload: dict[str, Any], files: dict[str, Path]) -> dict[str, Any]:
    """What makes two items the same unit: content and absolute location of each file, meta, groups."""
    refs = {name: [payload["files"][name]["checksum"], str(path.resolve())] for name, path in files.items()}
    return {"files": refs, "meta": payload.get("meta"), "groups": payload.get("groups")}


def _file_refs(files: dict[str, Path], uploaded: dict[Path, dict[str, Any]]) -> dict[str, dict[str, str]]:
    return {name: {"checksum": str(uploaded[path]["checksum"]), "path": str(path)} for name, path in files.items()}
