"""The job lifecycle: PENDING -> RUNNING -> SUCCEEDED (or FAILED), with console log lines and progress.

One daemon thread per backend walks a timetable of due transitions, so thousands of jobs cost
no more threads. A transition only applies if the job is still in the state it expects, and
``lock`` is held while a job is read and changed (by a step here or by a PATCH), so a client
that stops a job is never overruled and never overrules a job that just finished. The
timetable lives in memory, so on start the runner picks up every job a previous run of a file
database left PENDING or RUNNING.

Progress is reported the way the official SDK's job logger PATCHes it: ``progress_record`` is
``{"record": {...}, "current_progress": {"overall": percent, ...}}``.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from datetime import datetime, timezone
from typing import Any

from synapse.testing.store import Query, Store

TERMINAL = frozenset({"SUCCEEDED", "FAILED", "STOPPED"})

#: The step each unfinished status is waiting for (on start), and its share of the job duration.
NEXT_STEP = {"PENDING": ("run", 0.25), "RUNNING": ("finish", 0.4)}
HALFWAY_SHARE = 0.35


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def add_log(store: Store, job_id: int, message: str, level: str = "info", **extra: Any) -> None:
    store.insert("console_logs", {"job": job_id, "message": message, "level": level, "created": now(), **extra})


def progress_record(percent: float) -> dict[str, Any]:
    """A progress report shaped as the official SDK's job logger sends it."""
    return {"record": {"percent": percent}, "current_progress": {"overall": percent, "time_remaining": None}}


def wants_failure(params: Any) -> bool:
    return isinstance(params, dict) and bool(params.get("fail") or params.get("should_fail"))


class JobRunner:
    """Runs scheduled job transitions on one background thread."""

    def __init__(self, store: Store, duration: float = 0.5) -> None:
        self.store = store
        self.duration = duration
        self._queue: list[tuple[float, int, int, str]] = []
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self.lock = threading.RLock()  # held while a job is read and changed, by a step or a request handler
        self._stopped = False
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the worker, resuming the jobs a previous run left unfinished."""
        with self._cond:
            self._stopped = False
        unfinished = Query(filters=[("status", "in", list(NEXT_STEP))])
        for job in self.store.find("jobs", unfinished):
            self._plan(int(job["id"]), *NEXT_STEP[str(job["status"])])
        self._thread = threading.Thread(target=self._loop, name="synapse-local-jobs", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def clear(self) -> None:
        with self._cond:
            self._queue.clear()

    def schedule(self, job_id: int) -> None:
        """Start the lifecycle of a freshly created PENDING job."""
        self._plan(job_id, *NEXT_STEP["PENDING"])

    def cancel(self, job_id: int) -> None:
        """Drop the steps still planned for a job (it was stopped)."""
        with self._cond:
            self._queue = [entry for entry in self._queue if entry[2] != job_id]
            heapq.heapify(self._queue)

    def _plan(self, job_id: int, step: str, share: float) -> None:
        """Queue ``step`` of a job, due after ``share`` of the job duration."""
        with self._cond:
            heapq.heappush(self._queue, (time.monotonic() + self.duration * share, next(self._seq), job_id, step))
            self._cond.notify_all()

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._stopped and (not self._queue or self._queue[0][0] > time.monotonic()):
                    timeout = self._queue[0][0] - time.monotonic() if self._queue else None
                    self._cond.wait(timeout)
                if self._stopped:
                    return
                _, _, job_id, step = heapq.heappop(self._queue)
            try:
                with self.lock:
                    self._advance(job_id, step)
            except Exception:  # the store may be closing under us during stop(); never kill the loop
                continue

    def _advance(self, job_id: int, step: str) -> None:
        job = self.store.get("jobs", job_id)
        if job is None:
            return
        if step == "run" and job.get("status") == "PENDING":
            running = {"status": "RUNNING", "started": now(), "modified": now(), "progress_record": progress_record(0)}
            self.store.update("jobs", job_id, running)
            add_log(self.store, job_id, "Job started")
            add_log(self.store, job_id, f"Running action {job.get('action') or 'run'}")
            self._plan(job_id, "halfway", HALFWAY_SHARE)
        elif step == "halfway" and job.get("status") == "RUNNING":
            self.store.update("jobs", job_id, {"progress_record": progress_record(50), "modified": now()})
            add_log(self.store, job_id, "Half of the work is done")
            self._plan(job_id, *NEXT_STEP["RUNNING"])
        elif step == "finish" and job.get("status") == "RUNNING":
            if wants_failure(job.get("params")):
                add_log(self.store, job_id, "Job failed: failure requested by params", level="error")
                changes: dict[str, Any] = {"status": "FAILED", "result": {"error": "failure requested by params"}}
            else:
                add_log(self.store, job_id, "Job finished")
                changes = {"status": "SUCCEEDED", "result": {"action": job.get("action"), "ok": True}}
                changes["progress_record"] = progress_record(100)
            changes.update(finished=now(), modified=now())
            self.store.update("jobs", job_id, changes)
