"""Jobs: one run of a plugin action on an agent, with its status and console logs."""

from __future__ import annotations

import time
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..enums import JobStatus
from ..errors import InvalidInputError, JobTimeoutError
from ..orm.relations import BelongsTo
from ..orm.resource import Resource
from ..transport.envelope import list_items

if TYPE_CHECKING:
    from .plugins import Agent, Plugin, PluginRelease


def _status(value: Any) -> JobStatus:
    """Accept a JobStatus or its name in any case; anything else is refused before sending."""
    if isinstance(value, JobStatus):
        return value
    try:
        return JobStatus(str(value).upper())
    except ValueError:
        known = ", ".join(s.value for s in JobStatus)
        raise InvalidInputError(None, f"unknown job status {value!r}; use one of {known}") from None


class Job(
    Resource,
    path="jobs/",
    repr=("action", "status"),
    read_only=("started", "finished", "is_active", "queue", "error"),
    filters=("status", "action"),
):
    """A plugin run. Poll it with :meth:`wait`; read its output with :meth:`console_logs`."""

    id: int | str | None = None  # type: ignore[assignment]
    status: JobStatus | None = None
    action: str | None = None
    params: dict[str, Any] | None = None
    progress_record: dict[str, Any] | None = None
    metrics_record: dict[str, Any] | None = None
    result: Any = None
    meta: dict[str, Any] | None = None
    queue: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    is_active: bool | None = None
    started: datetime | None = None
    finished: datetime | None = None
    created: datetime | None = None
    modified: datetime | None = None
    completed: datetime | None = None

    plugin: BelongsTo[Plugin] = BelongsTo("Plugin")
    plugin_release: BelongsTo[PluginRelease] = BelongsTo("PluginRelease")
    agent: BelongsTo[Agent] = BelongsTo("Agent")

    @property
    def is_finished(self) -> bool:
        """True once the status is terminal (STOPPED, SUCCEEDED or FAILED)."""
        return isinstance(self.status, JobStatus) and self.status.terminal

    @property
    def succeeded(self) -> bool:
        return self.status == JobStatus.SUCCEEDED

    def update(self, status: JobStatus | str | None = None, **fields: Any) -> Job:
        """PATCH status (normalised to upper case, checked first) and other fields; the reply updates the job."""
        body = dict(fields)
        if status is not None:
            body["status"] = _status(status).value
        if not body:
            raise InvalidInputError(None, "nothing to update: pass status= and/or other fields")
        session = self._bound_session()
        self._accept(session.request("PATCH", self.api_url(), json=body), session)
        return self

    def console_logs(self) -> list[dict[str, Any]]:
        """The job's log records (GET jobs/{id}/console_logs/); plain lines become ``{"message": ...}``."""
        reply = self._bound_session().request("GET", f"{self.api_url()}console_logs/")
        items = list_items(reply, "console_logs/")
        return [item if isinstance(item, dict) else {"message": str(item)} for item in items]

    def log_lines(self) -> list[str]:
        """Just the messages of :meth:`console_logs`."""
        return [str(item.get("message", "")) for item in self.console_logs()]

    def wait(self, timeout: float = 600.0, poll: float = 1.0) -> Job:
        """Refresh every ``poll`` seconds until the status is terminal; raise JobTimeoutError after ``timeout``."""
        if poll <= 0 or timeout < 0:
            raise InvalidInputError(None, "poll must be > 0 and timeout >= 0 seconds")
        deadline = time.monotonic() + timeout
        while not self.is_finished:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise JobTimeoutError(
                    None,
                    f"{self!r} did not finish within {timeout:g}s (last status {self.status!s})",
                    hint="call wait() again with a longer timeout, or check the agent",
                )
            time.sleep(min(poll, remaining))
            self.refresh()
        return self
