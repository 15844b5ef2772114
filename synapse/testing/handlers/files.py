"""Data files, data units and models: the routes that turn uploaded bytes into objects."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from synapse.testing.context import Ctx
from synapse.testing.handlers.crud import create_many, create_one, object_response
from synapse.testing.handlers.uploads import STATUS_COMPLETE
from synapse.testing.http import ApiError, as_list, body_dict, file_storage, invalid, parse_body
from synapse.testing.media import safe_filename
from synapse.testing.routing import Router


def completed_upload(ctx: Ctx, value: Any, field: str = "chunked_upload") -> dict[str, Any]:
    upload = ctx.store.find_one("chunked_uploads", "uid", str(value)) if value else None
    if upload is None:
        raise invalid(field, f'Invalid pk "{value}" - object does not exist.')
    if upload["status"] != STATUS_COMPLETE:
        raise invalid(field, "The chunked upload is not completed; finalize it with its md5 first.")
    return upload


def create_data_file(ctx: Ctx, params: dict[str, str]) -> Response:
    """Multipart ``file`` or JSON ``{chunked_upload, meta?}`` -> ``{id, checksum, size, file}``."""
    body = body_dict(ctx.request)
    upload_file = file_storage(body.get("file"))
    meta: dict[str, Any] = body["meta"] if isinstance(body.get("meta"), dict) else {}
    if upload_file is not None:
        key, size, md5 = ctx.state.media.save(upload_file.stream)
        name = safe_filename(upload_file.filename)
    elif body.get("chunked_upload"):
        upload = completed_upload(ctx, body["chunked_upload"])
        key, size, md5 = upload["media_key"], upload["size"], upload["checksum"]
        name = safe_filename(str(meta.get("filename") or upload["filename"]))
    else:
        raise invalid("file", "No file was submitted.")
    record = {"file": ctx.state.media.url(key, name), "checksum": md5, "size": size, "filename": name, "meta": meta}
    return object_response(ctx, "data_files", create_one(ctx, "data_files", record), 201)


def verify_checksums(ctx: Ctx, params: dict[str, str]) -> Response:
    wanted = [str(c) for c in as_list(body_dict(ctx.request).get("checksums"))]
    existing = [c for c in dict.fromkeys(wanted) if ctx.store.find_one("data_files", "checksum", c)]
    return ctx.respond({"existing_checksums": existing})


def _resolve_files(ctx: Ctx, files: Any) -> dict[str, Any]:
    if not isinstance(files, dict):
        raise invalid("files", "Expected a dictionary of {name: {checksum, path}}.")
    out: dict[str, Any] = {}
    for name, spec in files.items():
        checksum = spec.get("checksum") if isinstance(spec, dict) else spec
        data_file = ctx.store.find_one("data_files", "checksum", str(checksum)) if checksum else None
        if data_file is None:
            raise ApiError(400, {"files": {str(name): [f'Data file with checksum "{checksum}" does not exist.']}})
        extra = spec if isinstance(spec, dict) else {}
        out[str(name)] = {
            **extra,
            "url": data_file["file"],
            "checksum": data_file["checksum"],
            "path": extra.get("path") or data_file.get("filename"),
            "size": data_file.get("size"),
            "data_file": data_file["id"],
        }
    return out


def create_data_units(ctx: Ctx, params: dict[str, str]) -> Response:
    """A dict body -> one unit; a list body -> a list of units."""
    body = parse_body(ctx.request)
    items = body if isinstance(body, list) else [body]
    prepared = []
    for item in items:
        if not isinstance(item, dict):
            raise ApiError(400, {"non_field_errors": ["Each data unit must be an object."]})
        unit = {**item, "files": _resolve_files(ctx, item.get("files"))}
        unit["meta"] = item.get("meta") if isinstance(item.get("meta"), dict) else {}
        unit["groups"] = [str(g) for g in as_list(item.get("groups"))]
        prepared.append(unit)
    created = create_many(ctx, "data_units", prepared)
    return ctx.respond(created if isinstance(body, list) else created[0], 201)


def create_model(ctx: Ctx, params: dict[str, str]) -> Response:
    """JSON with ``chunked_upload`` (or multipart ``file``); ``file`` becomes a download URL."""
    body = body_dict(ctx.request)
    upload_file = file_storage(body.pop("file", None))
    if upload_file is not None:
        key, size, md5 = ctx.state.media.save(upload_file.stream)
        name = safe_filename(upload_file.filename, "model")
    elif body.get("chunked_upload"):
        upload = completed_upload(ctx, body["chunked_upload"])
        key, size, md5, name = upload["media_key"], upload["size"], upload["checksum"], upload["filename"]
    else:
        key = None
    if key is not None:
        body.update(file=ctx.state.media.url(key, name), checksum=md5, size=size)
    if "configuration" in body and not isinstance(body["configuration"], dict):
        raise invalid("configuration", "Expected a dictionary.")
    return object_response(ctx, "models", create_one(ctx, "models", body), 201)


def register(router: Router) -> None:
    router.add("data_files/", "POST", create_data_file)
    router.add("data_files/verify_checksums/", "POST", verify_checksums)
    router.add("data_units/", "POST", create_data_units)
    router.add("models/", "POST", create_model)
