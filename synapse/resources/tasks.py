"""Tasks (one data unit to annotate within a project) and the tags put on them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import Field

from ..enums import TagCategory, TaskSchema
from ..errors import InvalidInputError
from ..orm.relations import BelongsTo, HasMany
from ..orm.resource import Resource
from ..orm.routes import action_path, does_not_exist
from ..transport.defaults import get_session
from ..transport.paths import check_id
from ..transport.session import Session
from ._tags import Taggable
from ._transfers import as_objects, check_batch_size, objects, transfer_paths, walker

if TYPE_CHECKING:
    from .data import DataUnit
    from .hitl import Assignment
    from .projects import Project


class TaskTag(Resource, path="task_tags/", repr=("name", "project"), filters=("project", "category")):
    """A label that can be attached to tasks and assignments of a project."""

    name: str | None = None
    color: str | None = None
    description: str | None = None
    category: TagCategory | None = None
    meta: dict[str, Any] | None = None
    created: datetime | None = None

    project: BelongsTo[Project] = BelongsTo("Project")


class Task(
    Taggable,
    path="tasks/",
    list_path="sdk/tasks/",
    repr=("project", "data_unit"),
    filters=("project", "data_unit", "has_data", "is_discarded"),
):
    """One unit of annotation work: a data unit in a project, with its annotation ``data``."""

    data: Any = None
    meta: dict[str, Any] | None = None
    data_schema: TaskSchema | None = Field(None, alias="schema")
    is_discarded: bool | None = None
    has_data: bool | None = None
    created: datetime | None = None

    project: BelongsTo[Project] = BelongsTo("Project")
    data_unit: BelongsTo[DataUnit] = BelongsTo("DataUnit")
    workshop_id: int | None = Field(None, alias="workshop")
    assignments: ClassVar[HasMany[Assignment]] = HasMany("Assignment", "task")

    def annotate(self, data: Any, *, schema: str | None = None) -> Task:
        """Store annotation ``data`` (PUT annotate_task_data/); the reply refreshes this task."""
        session = self._bound_session()
        reply = annotate_task(session, self._require_id(), data, schema)
        self._accept(reply if isinstance(reply, dict) else {"id": self.id, "data": data}, session)
        return self

    @classmethod
    def bulk_create(
        cls, project: Any, data_units: Iterable[Any], *, batch_size: int = 1000, session: Session | None = None
    ) -> list[Task]:
        """Create one task per data unit (objects, ids or ``{"data_unit": id, ...}`` dicts).

        Sends ``{"project": id, "data": [...]}`` to ``tasks/`` in batches. A batch whose answer is
        lost is looked up in the project's tasks before anything else is sent, so a retry or a
        re-run never creates a task twice; :class:`~synapse.errors.BulkCreateError` names the
        data units left without a task, or in doubt.
        """
        session = session or get_session()
        project_id = check_id(project.id if isinstance(project, Resource) else project, "project id")
        entries = [_task_entry(unit) for unit in data_units]
        with as_objects(cls, session):
            from ..transfers.creates import create_tasks

            created = create_tasks(
                session,
                project_id,
                entries,
                paths=transfer_paths(),
                walk=walker(session),
                batch_size=check_batch_size(batch_size),
            )
        return objects(cls, created, session)


def annotate_task(session: Session, pk: Any, data: Any, schema: str | None = None) -> Any:
    """PUT a task's annotation data and return the reply as sent; ``schema`` goes in the query only when given."""
    params = {"schema": schema} if schema else None
    path = action_path(Task, pk, "annotate_task_data")
    with does_not_exist(Task):
        return session.request("PUT", path, params=params, json=data)


def _task_entry(unit: Any) -> dict[str, Any]:
    if isinstance(unit, dict):
        if "data_unit" not in unit:
            raise InvalidInputError(None, f"each task entry needs a 'data_unit', got keys {sorted(unit)}")
        return dict(unit)
    if isinstance(unit, Resource):
        return {"data_unit": unit._require_id()}
    return {"data_unit": check_id(unit, "data unit id")}
