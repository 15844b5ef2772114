"""Storages (configuration only on request), logs (one or many), data collections."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from synapse.testing.context import Ctx
from synapse.testing.handlers.crud import create_many, list_response, load, object_response, shape
from synapse.testing.http import as_bool, parse_body
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


def register(router: Router) -> None:
    router.add("storages/", "GET", list_storages)
    router.add("storages/<id>/", "GET", get_storage)
    router.add("logs/", "POST", create_logs)
    router.add("data_collections/", "GET", list_collections)
    router.add("data_collections/<id>/", "GET", get_collection)
