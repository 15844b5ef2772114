"""Creating tasks and data units in bulk, through :mod:`.bulk`'s reconciling engine.

Works on plain dicts: the resource layer turns objects into payloads before, and dicts into
objects after, and passes in where the families live (:class:`Paths`) and how to walk a listing.
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import BulkCreateError, InvalidInputError
from ..transport.session import Session
from ._journal import BulkJournal
from .bulk import BulkCreate, Family, Walk

__all__ = ["Paths", "create_tasks", "create_units", "run_or_raise", "task_family", "unit_family", "unit_payload"]


@dataclass(frozen=True)
class Paths:
    """Where tasks and data units are created and listed (``Task._meta.path``, ``Task._meta.list_path``...)."""

    units: str
    units_list: str
    tasks: str
    tasks_list: str


def unit_payload(item: Mapping[str, Any], collection_id: int | str) -> dict[str, Any]:
    """The ``data_units/`` item for ``{"files": {name: {checksum, path}}, "meta", "groups"}``."""
    if not isinstance(item, Mapping) or not isinstance(item.get("files"), Mapping):
        raise InvalidInputError(None, "a data unit needs 'files': {spec name: {checksum, path}}")
    meta = item.get("meta")
    if meta is not None and not isinstance(meta, Mapping):
        raise InvalidInputError(None, f"a data unit's meta must be a dict, got {type(meta).__name__}")
    payload: dict[str, Any] = {"files": dict(item["files"]), "meta": dict(meta or {})}
    groups = item.get("groups")
    if groups:
        if not isinstance(groups, (str, list, tuple)):
            raise InvalidInputError(
                None, f"a data unit's groups must be a string or a list, got {type(groups).__name__}"
            )
        payload["groups"] = [groups] if isinstance(groups, str) else [str(g) for g in groups]
    payload["data_collection"] = collection_id
    return payload


def task_family(session: Session, project_id: int | str, paths: Paths) -> Family:
    """Tasks of one project, recognised by their data unit."""
    return Family(
        what="tasks",
        create_path=paths.tasks,
        list_path=paths.tasks_list,
        list_params={"project": project_id},
        body=lambda batch: {"project": project_id, "data": batch},
        key=_task_key,
        journal=BulkJournal(session.base_url, "tasks", project_id),
    )


def unit_family(session: Session, collection_id: int | str, paths: Paths) -> Family:
    """Data units of one collection, recognised by their files' checksums (then meta and groups)."""
    return Family(
        what="data units",
        create_path=paths.units,
        list_path=paths.units_list,
        list_params={"data_collection": collection_id},
        body=list,
        key=_unit_key,
        journal=BulkJournal(session.base_url, "units", collection_id),
        same=_same_unit,
    )


def create_tasks(
    session: Session,
    project_id: int | str,
    entries: list[dict[str, Any]],
    *,
    paths: Paths,
    walk: Walk,
    batch_size: int = 1000,
) -> list[dict[str, Any]]:
    """One task per ``{"data_unit": id, ...}`` entry; :class:`BulkCreateError` names the items not created."""
    labels = [f"item {i} (data unit {entry.get('data_unit')})" for i, entry in enumerate(entries)]
    fingerprints = BulkJournal.fingerprints(entries)
    creator = BulkCreate(session, task_family(session, project_id, paths), walk, entries, fingerprints, labels)
    return run_or_raise(creator, batch_size)


def create_units(
    session: Session,
    collection_id: int | str,
    items: Iterable[Mapping[str, Any]],
    *,
    paths: Paths,
    walk: Walk,
    batch_size: int = 1000,
) -> list[dict[str, Any]]:
    """Data units from items whose files are uploaded already; :class:`BulkCreateError` names the items not created."""
    payloads = [unit_payload(item, collection_id) for item in items]
    labels = [f"item {i}" for i in range(len(payloads))]
    fingerprints = BulkJournal.fingerprints(payloads)
    creator = BulkCreate(session, unit_family(session, collection_id, paths), walk, payloads, fingerprints, labels)
    return run_or_raise(creator, batch_size)


def run_or_raise(creator: BulkCreate, batch_size: int) -> list[dict[str, Any]]:
    """Run a bulk create; the created objects in input order, or :class:`BulkCreateError`."""
    outcome = creator.run(batch_size)
    if outcome.failures:
        failures = [outcome.failures[i] for i in sorted(outcome.failures)]
        raise BulkCreateError(failures=failures, results=outcome.results, in_doubt=outcome.in_doubt)
    creator.forget()
    return [obj for obj in outcome.results if obj is not None]


def _task_key(obj: Mapping[str, Any]) -> Hashable | None:
    unit = obj.get("data_unit")
    if isinstance(unit, Mapping):
        unit = unit.get("id")
    return str(unit) if isinstance(unit, (int, str)) and not isinstance(unit, bool) else None


def _unit_key(obj: Mapping[str, Any]) -> Hashable | None:
    files = obj.get("files")
    if not isinstance(files, Mapping) or not files:
        return None
    sums = []
    for name, ref in files.items():
        checksum = ref.get("checksum") if isinstance(ref, Mapping) else None
        if not isinstance(checksum, str):
            return None
        sums.append((str(name), checksum.lower()))
    return tuple(sorted(sums))


def _same_unit(payload: Mapping[str, Any], obj: Mapping[str, Any]) -> bool:
    def shape(value: Mapping[str, Any]) -> str:
        return json.dumps([value.get("meta") or {}, value.get("groups") or []], sort_keys=True, default=str)

    return shape(payload) == shape(obj)
