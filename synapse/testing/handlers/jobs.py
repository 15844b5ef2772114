"""Job routes: status updates (uppercase JobStatus), console logs.

A finished job stays finished: a PATCH that would move a SUCCEEDED, FAILED or STOPPED job to
another status is refused with a DRF field error, as the real backend's transition check does
(repeating the same terminal status is accepted). Stopping a PENDING or RUNNING job cancels
its remaining steps.
"""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from synapse.testing.context import Ctx
from synapse.testing.handlers.crud import load, object_response, update_one
from synapse.testing.http import body_dict, invalid
from synapse.testing.jobs import TERMINAL, add_log, now
from synapse.testing.routing import Router
from synapse.testing.store import Query

JOB_STATUSES = ("PENDING", "RUNNING", "STOPPED", "SUCCEEDED", "FAILED")


def _log_lines(value: Any) -> list[dict[str, Any]]:
    items = value if isinstance(value, list) else [value]
    lines = []
    for item in items:
        if isinstance(item, dict):
            lines.append(item)
        elif item is not None:
            lines.append({"message": str(item)})
    return lines


def update_job(ctx: Ctx, params: dict[str, str]) -> Response:
    """Merge fields; lowercase statuses are normalised; ``console_logs`` lines are appended."""
    body = body_dict(ctx.request)
    if "status" in body:
        status = str(body["status"]).upper()
        if status == "COMPLETED":
            status = "SUCCEEDED"
        if status not in JOB_STATUSES:
            raise invalid("status", f'"{body["status"]}" is not a valid choice.')
        body["status"] = status
    with ctx.state.jobs.lock:  # the runner may be moving this job on right now
        job = load(ctx, "jobs", params["id"])
        current, requested = job.get("status"), body.get("status")
        if requested is not None and current in TERMINAL and requested != current:
            raise invalid("status", f"transition {current} -> {requested} is not allowed")
        if "console_logs" in body:
            for line in _log_lines(body.pop("console_logs")):
                extra = {k: v for k, v in line.items() if k not in ("message", "level", "job")}
                add_log(ctx.store, job["id"], str(line.get("message", "")), str(line.get("level", "info")), **extra)
        if requested == "STOPPED" and current != "STOPPED":
            ctx.state.jobs.cancel(job["id"])
            add_log(ctx.store, job["id"], "Job stopped")
            body.setdefault("finished", now())
        replace = ctx.request.method == "PUT"
        return object_response(ctx, "jobs", update_one(ctx, "jobs", job["id"], body, replace=replace))


def _lines(ctx: Ctx, job_id: int) -> list[dict[str, Any]]:
    return ctx.store.find("console_logs", Query(filters=[("job", "in", [job_id])]))


def console_logs(ctx: Ctx, params: dict[str, str]) -> Response:
    job = load(ctx, "jobs", params["id"])
    lines = [{k: v for k, v in line.items() if k != "job"} for line in _lines(ctx, job["id"])]
    return ctx.respond({"count": len(lines), "next": None, "previous": None, "results": lines})


def tail_console_logs(ctx: Ctx, params: dict[str, str]) -> Response:
    job = load(ctx, "jobs", params["id"])
    text = "".join(f"{line.get('message', '')}\n" for line in _lines(ctx, job["id"]))
    return Response(text.encode(), content_type="text/plain; charset=utf-8")


def register(router: Router) -> None:
    router.add("jobs/<id>/", "PATCH PUT", update_job)
    router.add("jobs/<id>/console_logs/", "GET", console_logs)
    router.add("jobs/<id>/tail_console_logs/", "GET", tail_console_logs)
