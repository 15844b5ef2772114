"""What an HTTP status means: the typed error for each status the backend answers with.

The classes live in :mod:`synapse.errors`; the mapping lives with the transport that reads the
statuses, together with the hint each error carries about what to do next.
"""

from __future__ import annotations

from typing import Any

from ..errors import (
    AuthenticationError,
    BadRequestError,
    ConflictError,
    HTTPError,
    MethodNotAllowedError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
)

_STATUS_ERRORS: dict[int, type[HTTPError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    405: MethodNotAllowedError,
    409: ConflictError,
    422: BadRequestError,
    429: RateLimitError,
}

_HINTS: dict[type[HTTPError], str] = {
    AuthenticationError: "Check the API token (SYNAPSE_API_TOKEN) for this backend",
    PermissionDeniedError: "The token is valid but lacks permission for this action",
    RateLimitError: "The backend is rate limiting; slow down or retry later",
    ServerError: "The backend failed (after retries, where the method allows them); try again later",
}


def error_for_status(
    status_code: int,
    detail: Any,
    *,
    method: str | None = None,
    url: str | None = None,
    retry_after: float | None = None,
) -> HTTPError:
    """Build the typed error for an HTTP status."""
    cls: type[HTTPError]
    if status_code in _STATUS_ERRORS:
        cls = _STATUS_ERRORS[status_code]
    elif status_code >= 500:
        cls = ServerError
    else:
        cls = HTTPError
    error = cls(status_code, detail, method=method, url=url, hint=_HINTS.get(cls))
    if isinstance(error, RateLimitError):
        error.retry_after = retry_after
    return error
