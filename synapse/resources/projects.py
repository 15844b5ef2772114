"""Projects: the annotation workspace that owns tasks, assignments and tags."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from ..orm.relations import BelongsTo, HasMany
from ..orm.resource import Resource

if TYPE_CHECKING:
    from .data import DataCollection
    from .hitl import Assignment
    from .tasks import Task, TaskTag


class Project(Resource):
    """An annotation project: its configuration, its data collection and its tasks."""

    api_path: ClassVar[str] = "projects/"
    repr_fields: ClassVar[tuple[str, ...]] = ("name",)

    name: str | None = None
    description: str | None = None
    category: str | None = None
    configuration: dict[str, Any] | None = None
    data_collection_id: int | None = None

    data_collection: BelongsTo[DataCollection] = BelongsTo("DataCollection")
    tasks: ClassVar[HasMany[Task]] = HasMany("Task", "project")
    assignments: ClassVar[HasMany[Assignment]] = HasMany("Assignment", "project")
    task_tags: ClassVar[HasMany[TaskTag]] = HasMany("TaskTag", "project")
