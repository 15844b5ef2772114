"""Storages (configuration only on request), logs (one or many), data collections, projects."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from synapse.testing.context import Ctx
from synapse.testing.handlers.crud import (
    create_many,
    create_one,
    list_response,
    load,
    object_response,
    shape,
    update_one,
)
from synapse.testing.http import as_bool, body_dict, invalid, parse_body
from synapse.testing.routing import Router


def _storage_view(ctx: Ctx) -> Any:
    with_config = as_bool(ctx.args.get("with_configuration", ""))

    def transform(obj: dict[str, Any]) -> dict[str, Any]:
        obj.setdefault("is_default", False)
        if with_config:
            obj.setdefault("configuration", {})
        else:
            obj.pop("configuration", None)
        return obj

    return transform


def list_storages(ctx: Ctx, params: dict[str, str]) -> Response:
    return list_response(ctx, "storages", transform=_storage_view(ctx))


def get_storage(ctx: Ctx, params: dict[str, str]) -> Response:
    return ctx.respond_text(shape(ctx, "storages", [load(ctx, "storages", params["id"])], _storage_view(ctx))[0])


def create_logs(ctx: Ctx, params: dict[str, str]) -> Response:
    body = parse_body(ctx.request)
    created = create_many(ctx, "logs", body if isinstance(body, list) else [body])
    return ctx.respond(created if isinstance(body, list) else created[0], 201)


def _with_specs(obj: dict[str, Any]) -> dict[str, Any]:
    obj.setdefault("file_specifications", [])
    return obj


def list_collections(ctx: Ctx, params: dict[str, str]) -> Response:
    return list_response(ctx, "data_collections", transform=_with_specs)


def get_collection(ctx: Ctx, params: dict[str, str]) -> Response:
    return object_response(ctx, "data_collections", _with_specs(load(ctx, "data_collections", params["id"])))


def _titled(body: dict[str, Any]) -> dict[str, Any]:
    """A project needs a title (v1 clients call it ``name``; either fills the other), as DRF requires."""
    title = body.get("title", body.get("name"))
    if title is None:
        raise invalid("title", "This field is required.")
    if not isinstance(title, str) or not title.strip():
        raise invalid("title", "This field may not be blank." if isinstance(title, str) else "Not a valid string.")
    return {**body, "title": body.get("title", title), "name": body.get("name", title)}


def create_project(ctx: Ctx, params: dict[str, str]) -> Response:
    return object_response(ctx, "projects", create_one(ctx, "projects", _titled(body_dict(ctx.request))), 201)


def replace_project(ctx: Ctx, params: dict[str, str]) -> Response:
    """PUT is a full update, so the title is required again; PATCH may leave it out."""
    obj_id = int(load(ctx, "projects", params["id"])["id"])
    body = body_dict(ctx.request)
    changes = _titled(body) if ctx.request.method == "PUT" or "title" in body or "name" in body else body
    return object_response(
        ctx, "projects", update_one(ctx, "projects", obj_id, changes, replace=ctx.request.method == "PUT")
    )


def register(router: Router) -> None:
    router.add("projects/", "POST", create_project)
    router.add("projects/<id>/", "PUT PATCH", replace_project)
    router.add("storages/", "GET", list_storages)
    router.add("storages/<id>/", "GET", get_storage)
    router.add("logs/", "POST", create_logs)
    router.add("data_collections/", "GET", list_collections)
    router.add("data_collections/<id>/", "GET", get_collection)
