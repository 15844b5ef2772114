"""Projects: the annotation workspace that owns tasks, assignments and tags."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..enums import ProjectCategory
from ..orm.relations import BelongsTo, HasMany
from ..orm.resource import Resource

if TYPE_CHECKING:
    from .data import DataCollection
    from .hitl import Assignment
    from .tasks import Task, TaskTag


class Project(Resource, path="projects/", repr=("title",), filters=("category", "data_collection")):
    """An annotation project: its configuration, its data collection and its tasks."""

    title: str | None = None
    name: str | None = None
    description: str | None = None
    category: ProjectCategory | None = None
    configuration: dict[str, Any] | None = None
    settings: dict[str, Any] | None = None
    is_archived: bool | None = None
    task_count: int | None = None
    created: datetime | None = None

    data_collection: BelongsTo[DataCollection] = BelongsTo("DataCollection")
    tasks: HasMany[Task] = HasMany("Task", "project")
    assignments: HasMany[Assignment] = HasMany("Assignment", "project")
    task_tags: HasMany[TaskTag] = HasMany("TaskTag", "project")
