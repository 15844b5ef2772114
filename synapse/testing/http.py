"""Request parsing and DRF-shaped responses.

The official client sends JSON (always with ``Content-Type: application/json``, possibly with an
empty body) or multipart where lists are repeated parts, bools are ``"True"``/``"False"`` and
dicts are JSON strings (synapse-api.md 1.2-1.4). ``parse_body`` turns both into one dict so the
handlers never care which encoding arrived.
"""

from __future__ import annotations

import json
from typing import Any

from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Request, Response

#: Marker stored inside JSON texts in place of the media base URL, replaced on the way out, so
#: stored data survives a port change and list pages need no decoding to produce absolute URLs.
MEDIA_MARKER = "@@synapse-media@@"


class ApiError(Exception):
    """Raised anywhere in a handler to answer with a DRF-style error body."""

    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(status, body)
        self.status = status
        self.body = body
        self.headers = headers or {}


def detail(status: int, message: str) -> ApiError:
    """``{"detail": message}`` error, the DRF shape for 401/403/404/405/413/410."""
    return ApiError(status, {"detail": message})


def invalid(field: str, message: str) -> ApiError:
    """``{"field": ["message"]}`` validation error (400)."""
    return ApiError(400, {field: [message]})


def not_found() -> ApiError:
    return detail(404, "Not found.")


def json_text_response(text: str, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(text.encode("utf-8"), status=status, headers=headers, content_type="application/json")


def json_response(value: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return json_text_response(json.dumps(value, separators=(",", ":"), ensure_ascii=False), status, headers)


def no_content() -> Response:
    return Response(b"", status=204)


def _coerce_form_value(value: str) -> Any:
    """Undo the official client's multipart encoding of bools and dicts."""
    if value in ("True", "true"):
        return True
    if value in ("False", "false"):
        return False
    stripped = value.strip()
    if stripped[:1] in ("{", "["):
        try:
            return json.loads(stripped)
        except (ValueError, RecursionError):
            return value
    return value


def parse_body(request: Request) -> Any:
    """The request body as Python data: JSON as is, forms as a dict (files as FileStorage)."""
    mimetype = request.mimetype
    try:
        if mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
            form = request.form
            files = request.files
            out: dict[str, Any] = {}
            for key in form:
                values = [_coerce_form_value(v) for v in form.getlist(key)]
                out[key] = values[0] if len(values) == 1 else values
            for key in files:
                storages = files.getlist(key)
                out[key] = storages[0] if len(storages) == 1 else storages
            return out
        raw = request.get_data(cache=True)
    except RequestEntityTooLarge as exc:
        raise detail(413, "Request body is too large.") from exc
    except ValueError as exc:
        raise detail(400, f"Multipart form parse error - {exc}") from exc
    if not raw.strip():
        return {}
    if mimetype and mimetype != "application/json" and not mimetype.endswith("+json"):
        raise detail(415, f'Unsupported media type "{mimetype}" in request.')
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise detail(400, f"JSON parse error - {exc}") from exc
    except RecursionError as exc:
        raise detail(400, "JSON parse error - nested too deeply") from exc


def body_dict(request: Request) -> dict[str, Any]:
    """The body, which must be a JSON object (DRF's non_field_errors otherwise)."""
    body = parse_body(request)
    if not isinstance(body, dict):
        raise ApiError(
            400, {"non_field_errors": [f"Invalid data. Expected a dictionary, but got {type(body).__name__}."]}
        )
    return body


def refuse_files(data: dict[str, Any]) -> None:
    """400 for a multipart file part sent where only data is stored (it cannot become JSON)."""
    for name, value in data.items():
        if any(isinstance(item, FileStorage) for item in (value if isinstance(value, list) else [value])):
            raise invalid(name, "A file upload is not accepted for this field.")


def as_list(value: Any) -> list[Any]:
    """A multipart field sent once arrives as a scalar; clients meant a one-item list."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, str) and "," in value:
        return [part.strip() for part in value.split(",") if part.strip()]
    return [value]


def as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on", "y", "t")
    return bool(value)


def parse_int(value: Any) -> int | None:
    """An int from an int or a decimal string, else None (bools and out-of-range ints are not)."""
    if isinstance(value, bool):
        return None
    number: int | None = None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().lstrip("-").isdigit() and value.strip().isascii():
        number = int(value.strip()[:25])
    # SQLite integers are 64-bit; anything larger cannot be an id.
    return number if number is not None and -(2**63) <= number < 2**63 else None


def file_storage(value: Any) -> FileStorage | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return value if isinstance(value, FileStorage) else None
