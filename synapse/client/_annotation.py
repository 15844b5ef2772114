"""BackendClient methods for projects, tasks, task tags and assignments (annotation and HITL)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from ..errors import ClientError, RequestBudgetExceeded
from ..orm.routes import family_action_path
from ..resources.hitl import Assignment
from ..resources.projects import Project
from ..resources.tasks import Task, TaskTag, annotate_task
from ..transport.context import submit
from . import _routes as routes
from ._base import JSON, ClientBase, Listing, UrlConversion, payload

TaskId = TypeVar("TaskId", bound=int | str)
"""The caller's task ids (ints or strings), which key the batch's outcome as given."""


class AnnotationClientMixin(ClientBase):
    """Projects, tasks and their tags, assignments."""

    def get_project(self, pk: int | str) -> JSON:
        return self._retrieve(Project, pk)

    def get_task(self, pk: int | str, params: Mapping[str, Any] | None = None) -> JSON:
        return self._retrieve(Task, pk, params)

    def annotate_task_data(self, pk: int | str, data: Mapping[str, Any], schema: str | None = None) -> JSON:
        """PUT the task's annotation data (as :meth:`Task.annotate`); ``schema`` goes in the query only when given."""
        body = payload(data)
        return annotate_task(self.session, pk, body, schema)

    def annotate_task_data_batch(
        self,
        items: Mapping[TaskId, Mapping[str, Any]] | Iterable[tuple[TaskId, Mapping[str, Any]]],
        max_workers: int = 10,
        schema: str | None = None,
    ) -> dict[TaskId, dict[str, Any]]:
        """Annotate many tasks in threads; ``{task_id: {success, error, response}}``.

        One failing task must not lose the others' results, so no single item raises:
        its error message is reported in its entry instead. A spent request budget is not an
        item's failure but the caller's assertion, so it propagates.
        """
        pairs = list(items.items() if isinstance(items, Mapping) else items)

        def one(pair: tuple[TaskId, Mapping[str, Any]]) -> dict[str, Any]:
            try:
                response = self.annotate_task_data(pair[0], pair[1], schema)
            except RequestBudgetExceeded:
                raise
            except ClientError as error:
                return {"success": False, "error": str(error), "response": None}
            return {"success": True, "error": None, "response": response}

        with ThreadPoolExecutor(max_workers=max(1, max_workers), thread_name_prefix="synapse-annotate") as pool:
            futures = [submit(pool, one, pair) for pair in pairs]
            outcomes = [future.result() for future in futures]
        return {task_id: outcome for (task_id, _), outcome in zip(pairs, outcomes, strict=True)}

    def list_tasks(
        self,
        params: Mapping[str, Any] | None = None,
        url_conversion: UrlConversion = None,
        list_all: bool = False,
        *,
        page_retries: int = 0,
        page_retry_backoff: float = 2.0,
        throttle_seconds: float = 0.0,
        page_failures: list[dict[str, Any]] | None = None,
    ) -> Listing:
        return self._list(
            Task._meta.list_path,
            params,
            list_all,
            url_conversion,
            page_retries=page_retries,
            page_retry_backoff=page_retry_backoff,
            throttle_seconds=throttle_seconds,
            page_failures=page_failures,
        )

    def list_tasks_data(self, params: Mapping[str, Any] | None = None, list_all: bool = False) -> Listing:
        return self._list(routes.TASKS_DATA, params, list_all)

    def list_tasks_files(self, params: Mapping[str, Any] | None = None, list_all: bool = False) -> Listing:
        return self._list(routes.TASKS_FILES, params, list_all)

    def create_tasks(self, data: Mapping[str, Any] | list[Any]) -> JSON:
        """POST ``tasks/``: the seed's list of ``{project, data_unit}`` or ``{project, data: [...]}``."""
        return self._send("POST", Task._meta.path, data)

    def set_tags_tasks(self, data: Mapping[str, Any], params: Mapping[str, Any] | None = None) -> JSON:
        return self._send("POST", family_action_path(Task, "set_tags"), data, params)

    def list_task_tags(self, params: Mapping[str, Any] | None = None) -> JSON:
        return self._get(TaskTag._meta.list_path, params)

    def get_task_tag(self, pk: int | str) -> JSON:
        return self._retrieve(TaskTag, pk)

    # -- HITL -------------------------------------------------------------------------------

    def get_assignment(self, pk: int | str) -> JSON:
        return self._retrieve(Assignment, pk)

    def list_assignments(
        self,
        params: Mapping[str, Any] | None = None,
        url_conversion: UrlConversion = None,
        list_all: bool = False,
        *,
        page_retries: int = 0,
        page_retry_backoff: float = 2.0,
        throttle_seconds: float = 0.0,
        page_failures: list[dict[str, Any]] | None = None,
    ) -> Listing:
        return self._list(
            Assignment._meta.list_path,
            params,
            list_all,
            url_conversion,
            page_retries=page_retries,
            page_retry_backoff=page_retry_backoff,
            throttle_seconds=throttle_seconds,
            page_failures=page_failures,
        )

    def list_assignments_data(self, params: Mapping[str, Any] | None = None, list_all: bool = False) -> Listing:
        return self._list(routes.ASSIGNMENTS_DATA, params, list_all)

    def list_assignments_files(self, params: Mapping[str, Any] | None = None, list_all: bool = False) -> Listing:
        return self._list(routes.ASSIGNMENTS_FILES, params, list_all)

    def set_tags_assignments(self, data: Mapping[str, Any], params: Mapping[str, Any] | None = None) -> JSON:
        return self._send("POST", family_action_path(Assignment, "set_tags"), data, params)
