"""Human-in-the-loop assignments: a task handed to a worker for labelling and review."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..enums import LabelStatus, ReviewStatus
from ..orm.declare import Filter
from ..orm.relations import BelongsTo
from ._tags import Taggable

if TYPE_CHECKING:
    from .projects import Project
    from .tasks import Task


class Assignment(
    Taggable,
    path="assignments/",
    list_path="sdk/assignments/",
    repr=("task", "status_label", "status_review"),
    filters=(
        "project",
        "task",
        "tags",
        "status_label",
        "status_review",
        "is_confirmed",
        "is_discarded",
        "is_discard_confirmed",
        "id",
        Filter("id__in", "number-in"),
        Filter("tasks", "number-in", target="Task"),
        Filter("users", "number-in"),
        Filter("reviewers", "number-in"),
        Filter("task_tags", "number-in", target="TaskTag"),
        Filter("created_after", "datetime"),
        Filter("created_before", "datetime"),
    ),
):
    """A task assigned to a person, with its labelling and review status, data and tags."""

    data: Any = None
    status_label: LabelStatus | None = None
    status_review: ReviewStatus | None = None
    is_confirmed: bool | None = None
    is_discarded: bool | None = None
    is_discard_confirmed: bool | None = None
    created: datetime | None = None

    task: BelongsTo[Task] = BelongsTo("Task")
    project: BelongsTo[Project] = BelongsTo("Project")
