"""Tasks, assignments and ground-truth events: the paginated annotation routes."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from synapse.testing.context import Ctx
from synapse.testing.handlers.crud import (
    build_query,
    create_many,
    list_response,
    load,
    now_iso,
    object_response,
)
from synapse.testing.http import ApiError, as_list, body_dict, invalid, parse_body, parse_int, refuse_files
from synapse.testing.routing import Router
from synapse.testing.store import dumps


def create_tasks(ctx: Ctx, params: dict[str, str]) -> Response:
    """A list of tasks -> list; ``{project, data: [...]}`` -> ``{results, count}``; one task -> object."""
    body = parse_body(ctx.request)
    if isinstance(body, list):
        return ctx.respond(create_many(ctx, "tasks", body), 201)
    if not isinstance(body, dict):
        raise ApiError(400, {"non_field_errors": ["Expected a task, a list of tasks or {project, data}."]})
    if isinstance(body.get("data"), list):
        items = []
        for entry in body["data"]:
            if not isinstance(entry, dict):
                raise invalid("data", 'Each item must be an object such as {"data_unit": 1}.')
            items.append({"project": body.get("project"), **entry})
        if body.get("project") is None:
            raise invalid("project", "This field is required.")
        created = create_many(ctx, "tasks", items)
        text = f'{{"count":{len(created)},"results":[{",".join(dumps(t) for t in created)}]}}'
        return ctx.respond_text(text, 201)
    return object_response(ctx, "tasks", create_many(ctx, "tasks", [body])[0], 201)


def annotate(ctx: Ctx, params: dict[str, str]) -> Response:
    task = load(ctx, "tasks", params["id"])
    data = parse_body(ctx.request)
    if isinstance(data, dict):
        refuse_files(data)
    changes = {"data": data, "has_data": bool(data), "modified": now_iso()}
    task = ctx.store.update("tasks", task["id"], changes) or task
    return object_response(ctx, "tasks", task)


def _int_list(field: str, value: Any) -> list[int]:
    out: list[int] = []
    for item in as_list(value):
        number = parse_int(item)
        if number is None:
            raise invalid(field, f"A valid integer is required, got {item!r}.")
        out.append(number)
    return out


def set_tags(kind: str, id_field: str) -> Any:
    """``{ids, tags, action}`` (current client) or ``{task_ids|assignment_ids, tag_ids}`` (seed)."""

    def view(ctx: Ctx, params: dict[str, str]) -> Response:
        body = body_dict(ctx.request)
        id_key = "ids" if "ids" in body else id_field
        tag_key = "tags" if "tags" in body else "tag_ids"
        ids = _int_list(id_key, body.get(id_key))
        tags = _int_list(tag_key, body.get(tag_key))
        action = str(body.get("action") or "add").lower()
        if action not in ("add", "remove", "set"):
            raise invalid("action", f'"{action}" is not a valid choice.')
        missing = set(tags) - ctx.store.existing_ids("task_tags", tags)
        if missing:
            raise invalid(tag_key, f'Invalid pk "{min(missing)}" - object does not exist.')
        objects = ctx.store.get_many(kind, ids)
        if len(objects) != len(set(ids)):
            raise invalid(id_key, f'Invalid pk "{min(set(ids) - set(objects))}" - object does not exist.')
        for obj in objects.values():
            current = [t for t in obj.get("tags") or [] if isinstance(t, int)]
            if action == "add":
                new = current + [t for t in tags if t not in current]
            elif action == "remove":
                new = [t for t in current if t not in tags]
            else:
                new = list(dict.fromkeys(tags))
            ctx.store.update(kind, obj["id"], {"tags": new, "modified": now_iso()})
        return ctx.respond({"action": action, "ids": ids, "tags": tags, "updated": len(objects)})

    return view


def _unit_files(ctx: Ctx, obj: dict[str, Any]) -> list[dict[str, Any]]:
    unit_ref = obj.get("data_unit")
    unit = ctx.store.get("data_units", unit_ref) if isinstance(unit_ref, int) else unit_ref
    files = unit.get("files") if isinstance(unit, dict) else None
    if not isinstance(files, dict):
        return []
    return [{"name": name, **(f if isinstance(f, dict) else {"url": f})} for name, f in files.items()]


def sdk_list(kind: str, variant: str = "", filterset: str | None = None) -> Any:
    """``sdk/<kind>/`` pages; the ``data`` variant keeps id+data, ``files`` lists the unit's files."""

    def view(ctx: Ctx, params: dict[str, str]) -> Response:
        query = build_query(ctx, kind, filterset)
        if variant == "data":
            return list_response(ctx, kind, query, lambda o: {"id": o["id"], "data": o.get("data")})
        if variant == "files":
            return list_response(ctx, kind, query, lambda o: {"id": o["id"], "files": _unit_files(ctx, o)})
        return list_response(ctx, kind, query)

    return view


def register(router: Router) -> None:
    router.add("tasks/", "POST", create_tasks)
    router.add("tasks/set_tags/", "POST", set_tags("tasks", "task_ids"))
    router.add("assignments/set_tags/", "POST", set_tags("assignments", "assignment_ids"))
    router.add("tasks/<id>/annotate_task_data/", "PUT PATCH POST", annotate)
    for kind in ("tasks", "assignments"):
        router.add(f"sdk/{kind}/", "GET", sdk_list(kind))
        router.add(f"sdk/{kind}/data/", "GET", sdk_list(kind, "data"))
        router.add(f"sdk/{kind}/files/", "GET", sdk_list(kind, "files"))
    router.add("sdk/ground_truth_events/", "GET", sdk_list("ground_truth_events"))
    router.add("sdk/ground_truth_events/data/", "GET", sdk_list("ground_truth_events", "data"))
    router.add("sdk/ground_truth_events/files/", "GET", sdk_list("ground_truth_events", "files"))
    router.add("ground_truths/", "GET", sdk_list("ground_truth_events", filterset="ground_truths"))
