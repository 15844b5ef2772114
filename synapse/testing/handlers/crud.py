"""Generic CRUD for every resource family: list, retrieve, create, update, delete.

Special routes (tasks/set_tags/, plugins/{id}/run/, ...) reuse the helpers here so that
validation, filtering, expansion and projection behave the same everywhere.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from typing import Any

from werkzeug.wrappers import Response

from synapse.testing.context import Ctx
from synapse.testing.filtersets import filter_conditions
from synapse.testing.http import ApiError, body_dict, invalid, no_content, not_found, parse_int, refuse_files
from synapse.testing.pagination import envelope, page_number, page_size
from synapse.testing.routing import Router
from synapse.testing.schema import CODE_LOOKUPS, FOREIGN_KEYS, ORDERING_FIELDS, READ_ONLY, REQUIRED, SECRET_FIELDS
from synapse.testing.store import Query, dumps

#: Expandable list-valued references: kind -> {field: target kind}.
LIST_REFERENCES: dict[str, dict[str, str]] = {
    "tasks": {"tags": "task_tags"},
    "assignments": {"tags": "task_tags"},
}

Transform = Callable[[dict[str, Any]], dict[str, Any]]


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def object_id(raw: str) -> int:
    """A path id; anything but a positive int is simply not found (DRF's behaviour)."""
    value = parse_int(raw)
    if value is None or value < 1:
        raise not_found()
    return value


def load(ctx: Ctx, kind: str, raw_id: str | int) -> dict[str, Any]:
    obj = ctx.store.get(kind, raw_id if isinstance(raw_id, int) else object_id(raw_id))
    if obj is None:
        raise not_found()
    return obj


# -- reading -----------------------------------------------------------------------------------


def build_query(ctx: Ctx, kind: str, filterset: str | None = None) -> Query:
    """The declared filters of ``filterset`` (default: the kind's) and DRF's ordering.

    ``ordering`` (its last value) keeps only the readable fields of the family; unknown names are
    dropped and, when none is left, the default ordering (by id) applies, as OrderingFilter does.
    """
    query = Query(filters=filter_conditions(ctx, filterset or kind))
    values = ctx.args.getlist("ordering")
    valid = ORDERING_FIELDS.get(kind, frozenset({"id"}))
    for term in values[-1].split(",") if values else []:
        term = term.strip()
        name = term[1:] if term.startswith("-") else term
        if name in valid:
            query.ordering.append((name, term.startswith("-")))
    return query


def _split_param(ctx: Ctx, name: str) -> list[str]:
    return [p.strip() for v in ctx.args.getlist(name) for p in v.split(",") if p.strip()]


def expand_objects(ctx: Ctx, kind: str, objects: list[dict[str, Any]], specs: Iterable[str]) -> None:
    """Replace foreign-key ids with the referenced objects, in place (dotted specs nest)."""
    nested: dict[str, list[str]] = {}
    for spec in specs:
        head, _, rest = spec.partition(".")
        nested.setdefault(head, [])
        if rest:
            nested[head].append(rest)
    for name, deeper in nested.items():
        target = FOREIGN_KEYS.get(kind, {}).get(name) or LIST_REFERENCES.get(kind, {}).get(name)
        if target is None:
            continue
        ids: list[int] = []
        for obj in objects:
            value = obj.get(name)
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, int) and not isinstance(item, bool):
                    ids.append(item)
        found = {key: public(target, obj) for key, obj in ctx.store.get_many(target, ids).items()}
        if deeper:
            expand_objects(ctx, target, list(found.values()), deeper)
        for obj in objects:
            value = obj.get(name)
            if isinstance(value, list):
                obj[name] = [found.get(v, v) if isinstance(v, int) else v for v in value]
            elif isinstance(value, int) and value in found:
                obj[name] = found[value]


def public(kind: str, obj: dict[str, Any]) -> dict[str, Any]:
    """The object without the fields that are never read back (see ``SECRET_FIELDS``)."""
    hidden = SECRET_FIELDS.get(kind)
    return {k: v for k, v in obj.items() if k not in hidden} if hidden else obj


def shape(ctx: Ctx, kind: str, objects: list[dict[str, Any]], transform: Transform | None = None) -> list[str]:
    """Apply transform, ``expand`` and ``fields`` and encode."""
    objects = [public(kind, obj) for obj in objects]
    if transform is not None:
        objects = [transform(obj) for obj in objects]
    expand = _split_param(ctx, "expand")
    if expand:
        expand_objects(ctx, kind, objects, expand)
    fields = _split_param(ctx, "fields")
    if fields:
        objects = [{k: v for k, v in obj.items() if k in fields} for obj in objects]
    omit = _split_param(ctx, "omit")
    if omit:
        objects = [{k: v for k, v in obj.items() if k not in omit} for obj in objects]
    return [dumps(obj) for obj in objects]


def needs_shaping(ctx: Ctx) -> bool:
    return any(name in ctx.args for name in ("expand", "fields", "omit"))


def list_response(ctx: Ctx, kind: str, query: Query | None = None, transform: Transform | None = None) -> Response:
    """A DRF page of ``kind``; rows are joined as stored unless they must be reshaped."""
    query = query if query is not None else build_query(ctx, kind)
    size = page_size(ctx)
    count = ctx.store.count(kind, query)
    page = page_number(ctx, size, count)
    query.limit, query.offset = size, (page - 1) * size
    rows = ctx.store.page(kind, query)
    if transform is not None or needs_shaping(ctx) or kind in SECRET_FIELDS:
        rows = shape(ctx, kind, [json.loads(row) for row in rows], transform)
    return envelope(ctx, count, rows, page, size)


def object_response(ctx: Ctx, kind: str, obj: dict[str, Any], status: int = 200) -> Response:
    if needs_shaping(ctx):
        return ctx.respond_text(shape(ctx, kind, [obj])[0], status)
    return ctx.respond(public(kind, obj), status)


# -- writing -----------------------------------------------------------------------------------


def _reference(ctx: Ctx, field: str, target: str, value: Any) -> int | str | None:
    """Normalise one FK value to an int id (or a code to resolve later); raise on bad types."""
    if value is None:
        return None
    if isinstance(value, dict) and "id" in value:
        value = value["id"]
    number = parse_int(value)
    if number is not None:
        return number
    if target in CODE_LOOKUPS and isinstance(value, str) and value:
        found = ctx.store.find_one(target, "code", value)
        if found is None:
            raise invalid(field, f"Object with code={value} does not exist.")
        return int(found["id"])
    raise invalid(field, "A valid integer is required.")


def validate_many(ctx: Ctx, kind: str, items: list[Any], partial: bool = False) -> list[dict[str, Any]]:
    """Check types, required fields and foreign keys of new/changed objects (batched lookups)."""
    cleaned: list[dict[str, Any]] = []
    for item in items:
        if not isinstance(item, dict):
            raise ApiError(
                400, {"non_field_errors": [f"Invalid data. Expected a dictionary, but got {type(item).__name__}."]}
            )
        data = {k: v for k, v in item.items() if k not in READ_ONLY}
        refuse_files(data)
        if not partial:
            for name in REQUIRED.get(kind, ()):
                if data.get(name) in (None, ""):
                    raise invalid(name, "This field is required.")
        cleaned.append(data)
    for name, target in FOREIGN_KEYS.get(kind, {}).items():
        wanted: set[int] = set()
        for data in cleaned:
            if name in data:
                ref = _reference(ctx, name, target, data[name])
                data[name] = ref
                if isinstance(ref, int):
                    wanted.add(ref)
        missing = wanted - ctx.store.existing_ids(target, wanted)
        if missing:
            raise invalid(name, f'Invalid pk "{min(missing)}" - object does not exist.')
    return cleaned


def _actions(config: Any) -> list[str]:
    """A release's actions: the keys (or items) of ``config["actions"]``."""
    actions = config.get("actions") if isinstance(config, dict) else None
    return [str(name) for name in actions] if isinstance(actions, (dict, list)) else []


def server_fields(kind: str, obj: dict[str, Any]) -> dict[str, Any]:
    """Fields the server owns (v2): a task's ``has_data`` follows ``data`` and ``is_discarded``
    starts False; a release's ``available_actions`` come from its config unless declared."""
    if kind == "tasks":
        obj.setdefault("is_discarded", False)
        obj["has_data"] = bool(obj.get("data"))
    elif kind == "plugin_releases" and "available_actions" not in obj:
        obj["available_actions"] = _actions(obj.get("config"))
    return obj


def create_many(ctx: Ctx, kind: str, items: list[Any]) -> list[dict[str, Any]]:
    cleaned = validate_many(ctx, kind, items)
    now = now_iso()
    for data in cleaned:
        data.setdefault("created", now)
        data["modified"] = now
        server_fields(kind, data)
    return ctx.store.insert_many(kind, cleaned)


def create_one(ctx: Ctx, kind: str, item: Any) -> dict[str, Any]:
    return create_many(ctx, kind, [item])[0]


def update_one(ctx: Ctx, kind: str, obj_id: int, changes: dict[str, Any], replace: bool = False) -> dict[str, Any]:
    """PATCH merges; PUT (``replace``) keeps only server fields plus the new body."""
    data = validate_many(ctx, kind, [changes], partial=not replace)[0]
    data["modified"] = now_iso()
    if replace:
        current = load(ctx, kind, obj_id)
        kept = {k: current[k] for k in READ_ONLY if k in current and k != "available_actions"}
        data = server_fields(kind, {**kept, **data})
        data["id"] = obj_id
        ctx.store.replace(kind, data)
        return data
    if kind == "tasks" and "data" in data:
        data["has_data"] = bool(data["data"])
    if kind == "plugin_releases" and "config" in data:
        data["available_actions"] = _actions(data["config"])
    updated = ctx.store.update(kind, obj_id, data)
    if updated is None:
        raise not_found()
    return updated


# -- routes ------------------------------------------------------------------------------------


def register(router: Router, kind: str, *, put_merges: bool = False) -> None:
    """The five DRF ModelViewSet routes for one collection."""

    def list_view(ctx: Ctx, params: dict[str, str]) -> Response:
        return list_response(ctx, kind)

    def create_view(ctx: Ctx, params: dict[str, str]) -> Response:
        return object_response(ctx, kind, create_one(ctx, kind, body_dict(ctx.request)), 201)

    def retrieve_view(ctx: Ctx, params: dict[str, str]) -> Response:
        return object_response(ctx, kind, load(ctx, kind, params["id"]))

    def update_view(ctx: Ctx, params: dict[str, str]) -> Response:
        obj_id = int(load(ctx, kind, params["id"])["id"])
        replace = ctx.request.method == "PUT" and not put_merges
        return object_response(ctx, kind, update_one(ctx, kind, obj_id, body_dict(ctx.request), replace))

    def delete_view(ctx: Ctx, params: dict[str, str]) -> Response:
        if not ctx.store.delete(kind, object_id(params["id"])):
            raise not_found()
        return no_content()

    router.add(f"{kind}/", "GET", list_view)
    router.add(f"{kind}/", "POST", create_view)
    router.add(f"{kind}/<id>/", "GET", retrieve_view)
    router.add(f"{kind}/<id>/", "PUT PATCH", update_view)
    router.add(f"{kind}/<id>/", "DELETE", delete_view)
