"""Human-in-the-loop assignments: a task handed to a worker for review or labelling."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from ..orm.relations import BelongsTo
from ._tags import Taggable

if TYPE_CHECKING:
    from .projects import Project
    from .tasks import Task


class Assignment(Taggable):
    """A task assigned to a person, with its own status, data and tags."""

    api_path: ClassVar[str] = "assignments/"
    api_list_path: ClassVar[str | None] = "sdk/assignments/"
    repr_fields: ClassVar[tuple[str, ...]] = ("task", "project", "status")

    task_id: int | None = None
    project_id: int | None = None
    status: str | None = None
    data: Any = None
    assignee: Any = None

    task: BelongsTo[Task] = BelongsTo("Task")
    project: BelongsTo[Project] = BelongsTo("Project")
