"""Chunked upload (synapse-api.md section 8), in the drf-chunked-upload style.

Chunks are appended to a part file on disk (never held in memory); finalising checks size and
md5 and only then moves the bytes into the media folder.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from datetime import datetime, timezone
from typing import Any

from werkzeug.wrappers import Response

from synapse.testing.context import Ctx
from synapse.testing.handlers.crud import now_iso
from synapse.testing.http import ApiError, body_dict, detail, file_storage, parse_body
from synapse.testing.media import copy_hashing, file_md5, safe_filename
from synapse.testing.routing import Router

_RANGE = re.compile(r"^\s*bytes\s+(\d+)-(\d+)/(\d+|\*)\s*$")
_UID = re.compile(r"^[0-9a-f]{32}$")
EMPTY_MD5 = hashlib.md5(b"").hexdigest()
STATUS_UPLOADING, STATUS_COMPLETE = 1, 2
_FINISHING = threading.Lock()
"""Finalizing moves the part file away: two finalize requests for one upload must not both try."""


def public(ctx: Ctx, upload: dict[str, Any]) -> dict[str, Any]:
    """The client-facing view of an upload record (the public id is the hex uid)."""
    out: dict[str, Any] = {
        "id": upload["uid"],
        "url": ctx.url(f"chunked_upload/{upload['uid']}/"),
        "filename": upload["filename"],
        "offset": upload["offset"],
        "status": upload["status"],
        "created_at": upload["created"],
        "expires": upload["expires"],
        "expires_at": upload["expires"],
        "completed_at": upload.get("completed_at"),
    }
    if upload["status"] == STATUS_COMPLETE:
        out.update(file=upload["file"], checksum=upload["checksum"], size=upload["size"])
    return out


def find_upload(ctx: Ctx, uid: str) -> dict[str, Any]:
    """A live upload by its public id: 404 when unknown, 410 when expired and unfinished."""
    upload = ctx.store.find_one("chunked_uploads", "uid", uid) if _UID.match(uid) else None
    if upload is None:
        raise detail(404, "Not found.")
    if upload["status"] != STATUS_COMPLETE and upload["expires_ts"] < time.time():
        raise detail(410, "Upload expired. Start a new upload.")
    return upload


def _new_upload(ctx: Ctx, filename: str, total: int | None) -> dict[str, Any]:
    uid = ctx.state.media.new_key()
    expires_ts = time.time() + ctx.state.upload_expiry
    record = {
        "uid": uid,
        "filename": safe_filename(filename),
        "offset": 0,
        "total": total,
        "status": STATUS_UPLOADING,
        "created": now_iso(),
        "expires_ts": expires_ts,
        "expires": datetime.fromtimestamp(expires_ts, timezone.utc).isoformat().replace("+00:00", "Z"),
        "completed_at": None,
    }
    ctx.state.media.upload_path(uid).touch()
    return ctx.store.insert("chunked_uploads", record)


def _append_chunk(ctx: Ctx, upload: dict[str, Any] | None) -> Response:
    body = parse_body(ctx.request)
    if not isinstance(body, dict):
        raise detail(400, "Expected a multipart form with a 'file' part.")
    chunk = file_storage(body.get("file"))
    if chunk is None:
        raise ApiError(400, {"file": ["No file was submitted."]})
    stream = chunk.stream
    stream.seek(0, 2)
    length = stream.tell()
    stream.seek(0)
    offset = upload["offset"] if upload else 0
    header = ctx.request.headers.get("Content-Range")
    if header is None:
        start, end, total = offset, offset + length - 1, None
    else:
        match = _RANGE.match(header)
        if match is None:
            raise detail(400, "Invalid Content-Range header; expected 'bytes <start>-<end>/<total>'.")
        start, end = int(match.group(1)), int(match.group(2))
        total = None if match.group(3) == "*" else int(match.group(3))
        if end < start or (total is not None and end >= total):
            raise detail(400, "Invalid Content-Range header: end must be >= start and < total.")
        if end - start + 1 != length:
            raise detail(400, f"Chunk size {length} does not match Content-Range {start}-{end}.")
    if start != offset:
        raise ApiError(400, {"detail": "Offsets do not match", "offset": offset})
    if upload is None:
        filename = body.get("filename") if isinstance(body.get("filename"), str) else chunk.filename
        upload = _new_upload(ctx, str(filename or "file"), total)
    elif total is not None and upload.get("total") not in (None, total):
        raise detail(400, f"Content-Range total {total} differs from the upload's total {upload['total']}.")
    with ctx.state.media.upload_path(upload["uid"]).open("ab") as target:
        copy_hashing(stream, target)
    changes = {"offset": offset + length, "total": upload.get("total") or total}
    upload = ctx.store.update("chunked_uploads", upload["id"], changes) or upload
    return ctx.respond(public(ctx, upload))


def _complete(ctx: Ctx, upload: dict[str, Any], md5: str) -> dict[str, Any]:
    part = ctx.state.media.upload_path(upload["uid"])
    size = part.stat().st_size if part.exists() else 0
    if upload.get("total") is not None and size != upload["total"]:
        raise ApiError(
            400, {"detail": f"Upload incomplete: received {size} of {upload['total']} bytes.", "offset": size}
        )
    if file_md5(part) != md5.lower():
        raise detail(400, "md5 checksum does not match")
    key = ctx.state.media.adopt(part)
    changes = {
        "status": STATUS_COMPLETE,
        "completed_at": now_iso(),
        "checksum": md5.lower(),
        "size": size,
        "media_key": key,
        "file": ctx.state.media.url(key, upload["filename"]),
    }
    return ctx.store.update("chunked_uploads", upload["id"], changes) or upload


def _md5_of(ctx: Ctx) -> str:
    md5 = body_dict(ctx.request).get("md5")
    if not isinstance(md5, str) or not re.fullmatch(r"[0-9a-fA-F]{32}", md5):
        raise ApiError(400, {"md5": ["A 32-character hex md5 is required."]})
    return md5


def start_upload(ctx: Ctx, params: dict[str, str]) -> Response:
    return _append_chunk(ctx, None)


def continue_upload(ctx: Ctx, params: dict[str, str]) -> Response:
    upload = find_upload(ctx, params["id"])
    if upload["status"] == STATUS_COMPLETE:
        raise detail(400, "Upload has already been completed.")
    return _append_chunk(ctx, upload)


def finish_upload(ctx: Ctx, params: dict[str, str]) -> Response:
    with _FINISHING:
        upload = find_upload(ctx, params["id"])
        md5 = _md5_of(ctx)
        if upload["status"] == STATUS_COMPLETE:
            if upload["checksum"] != md5.lower():
                raise detail(400, "md5 checksum does not match")
            return ctx.respond(public(ctx, upload))
        return ctx.respond(public(ctx, _complete(ctx, upload, md5)))


def finish_empty(ctx: Ctx, params: dict[str, str]) -> Response:
    """POST chunked_upload/ with only an md5: the client's way to upload an empty file."""
    md5 = _md5_of(ctx)
    if md5.lower() != EMPTY_MD5:
        raise detail(400, "md5 checksum does not match (no chunks were uploaded, so the file is empty).")
    upload = _new_upload(ctx, str(body_dict(ctx.request).get("filename") or "file"), 0)
    return ctx.respond(public(ctx, _complete(ctx, upload, md5)), 200)


def status(ctx: Ctx, params: dict[str, str]) -> Response:
    return ctx.respond(public(ctx, find_upload(ctx, params["id"])))


def register(router: Router) -> None:
    router.add("chunked_upload/", "PUT", start_upload)
    router.add("chunked_upload/", "POST", finish_empty)
    router.add("chunked_upload/<id>/", "PUT", continue_upload)
    router.add("chunked_upload/<id>/", "POST", finish_upload)
    router.add("chunked_upload/<id>/", "GET", status)
