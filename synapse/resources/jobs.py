"""Jobs: one run of a plugin action on an agent, with its status, progress and console logs."""

from __future__ import annotations

import time
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..enums import JobStatus
from ..errors import BadRequestError, InvalidInputError, JobTimeoutError
from ..orm.relations import BelongsTo
from ..orm.resource import Resource
from ..transport.envelope import list_items
from ._job_watch import LineSink, LogTail, percent_of

if TYPE_CHECKING:
    from ..transfers.progress import Progress, ProgressSpec
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
    """A plugin run on an agent.

    ``wait()`` polls until the status is terminal; ``wait(logs=True)`` (or ``follow()``) also
    prints each new console line once as it arrives, and ``wait(progress=True)`` shows the
    job's reported progress as a bar (a callable gets ``(percent, 100)``). ``progress_percent``
    reads the percentage from ``progress_record``. ``stop()`` asks the backend to stop a pending
    or running job; a job that already finished cannot be stopped (``BadRequestError``).
    ``console_logs()`` and ``log_lines()`` read the whole log.
    """

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

    @property
    def progress_percent(self) -> float | None:
        """The overall percentage the job last reported (from ``progress_record``), or None."""
        return percent_of(self.progress_record)

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

    def stop(self) -> Job:
        """Stop a pending or running job: the contract's job update (PATCH ``status=STOPPED``).

        The backend decides: a job that already finished keeps its status, and the refusal is
        raised as :class:`~synapse.errors.BadRequestError` saying so (``refresh()`` shows how the
        job ended). The reply updates this job.
        """
        try:
            return self.update(status=JobStatus.STOPPED)
        except BadRequestError as exc:
            if "status" not in exc.field_errors:
                raise
            hint = f"job {self.id} cannot be stopped: a finished job keeps its status; refresh() shows how it ended"
            raise BadRequestError(exc.status_code, exc.detail, method=exc.method, url=exc.url, hint=hint) from exc

    def console_logs(self) -> list[dict[str, Any]]:
        """The job's log records (GET jobs/{id}/console_logs/); plain lines become ``{"message": ...}``."""
        reply = self._bound_session().request("GET", f"{self.api_url()}console_logs/")
        items = list_items(reply, "console_logs/")
        return [item if isinstance(item, dict) else {"message": str(item)} for item in items]

    def log_lines(self) -> list[str]:
        """Just the messages of :meth:`console_logs`."""
        return [str(item.get("message", "")) for item in self.console_logs()]

    def wait(
        self,
        timeout: float = 600.0,
        poll: float = 1.0,
        *,
        logs: bool | LineSink = False,
        progress: ProgressSpec = None,
    ) -> Job:
        """Refresh every ``poll`` seconds until the status is terminal; raise JobTimeoutError after ``timeout``.

        ``logs=True`` prints each new console line once, as it arrives (a callable receives the
        lines instead); the last lines are read after the terminal status was seen, so none is
        lost. ``progress`` reports :attr:`progress_percent` as transfers do: ``True`` for a bar
        (with tqdm installed), a callable for ``(percent, 100)``, or a ``Progress`` to feed.
        Each poll is one GET of the job, plus one of its console log when ``logs`` is set.
        """
        if poll <= 0 or timeout < 0:
            raise InvalidInputError(None, "poll must be > 0 and timeout >= 0 seconds")
        if not isinstance(logs, bool) and not callable(logs):
            raise InvalidInputError(None, f"logs must be True, False or a callable(line), not {logs!r}")
        deadline = time.monotonic() + timeout
        tail = LogTail(f"job {self.id}", _printer if logs is True else logs) if logs else None
        from ..transfers.progress import make_progress

        with make_progress(progress, 100, desc=f"job {self.id}", unit="%") as bar:
            while True:
                self._report(tail, bar)
                if self.is_finished:
                    return self
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise JobTimeoutError(
                        None,
                        f"{self!r} did not finish within {timeout:g}s (last status {self.status!s})",
                        hint="call wait() again with a longer timeout, or check the agent",
                    )
                time.sleep(min(poll, remaining))
                self.refresh()

    def follow(self, timeout: float = 600.0, poll: float = 1.0, *, progress: ProgressSpec = None) -> Job:
        """``wait(logs=True)``: print the job's console lines as they arrive until it finishes."""
        return self.wait(timeout, poll, logs=True, progress=progress)

    def _report(self, tail: LogTail | None, bar: Progress) -> None:
        if tail is not None:
            tail.feed(self.console_logs())
        percent = self.progress_percent
        if percent is not None:
            bar.advance_to(int(percent))


def _printer(line: str) -> None:
    print(line, flush=True)
