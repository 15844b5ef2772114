"""The exception tree of synapse.

Everything derives from :class:`ClientError`, so code written for the seed's
``BackendClient`` (``except ClientError as e: e.status_code``) keeps working::

    ClientError                      status_code, detail, .response/.reason aliases
    ├── ConfigurationError           nothing to connect to / bad options; raised before any request
    ├── InvalidInputError            bad arguments from the caller; raised before any request (also a ValueError)
    │   ├── ReadOnlyFieldError       a server-set field was assigned (also an AttributeError)
    │   └── DeferredFieldError       a field the server did not send (fields=...) was read (also an AttributeError)
    ├── APIConnectionError           the request did not get a complete answer
    │   ├── APITimeoutError          connect, read or total timeout
    │   │   └── JobTimeoutError      Job.wait() gave up before the job finished
    │   ├── TLSError                 TLS handshake or certificate check failed; nothing was sent
    │   └── ResponseIncompleteError  POST/PATCH lost its answer (or a gateway's 502/504); the server may have acted
    ├── HTTPError                    the server answered with a status >= 400
    │   ├── BadRequestError          400 / 422 (field errors kept in .field_errors)
    │   ├── AuthenticationError      401
    │   ├── PermissionDeniedError    403
    │   ├── NotFoundError            404 (each resource's DoesNotExist subclasses it)
    │   ├── MethodNotAllowedError    405
    │   ├── ConflictError            409
    │   ├── RateLimitError           429 (.retry_after)
    │   └── ServerError              5xx
    ├── ResponseError                the server sent something we cannot use
    │   └── IncompleteListingError   a listing yielded other than the server's count (.expected, .got, .url)
    ├── MultipleObjectsReturned      QuerySet.get() matched more than one object
    ├── UploadError                  one or more uploads failed (.failures)
    ├── BulkCreateError              some items of a bulk create were not created, or may have been (.in_doubt)
    ├── IntegrityError               checksum or size mismatch after a transfer
    └── RequestBudgetExceeded        a block sent more/fewer requests than its budget (also an AssertionError)

Two warnings (``warnings.warn``) report what is suspicious but still usable::

    SchemaWarning                    the server sent a value of a type the declaration rules out (kept)
    ListingChangedWarning            the server's count changed during a walk (items may be missing/repeated)

Messages say what happened and what to do next; they never contain credentials.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "APIConnectionError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "BulkCreateError",
    "ClientError",
    "ConfigurationError",
    "ConflictError",
    "DeferredFieldError",
    "HTTPError",
    "IncompleteListingError",
    "IntegrityError",
    "InvalidInputError",
    "JobTimeoutError",
    "ListingChangedWarning",
    "MethodNotAllowedError",
    "MultipleObjectsReturned",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ReadOnlyFieldError",
    "RequestBudgetExceeded",
    "ResponseError",
    "ResponseIncompleteError",
    "SchemaWarning",
    "ServerError",
    "TLSError",
    "UploadError",
    "UploadFailure",
]
"""The exception tree, its two warnings and the failure record of UploadError: all exported from ``synapse``
(``error_for_status``, which builds the error for a status, is for the transport and the tests)."""


class ClientError(Exception):
    """Base of every synapse error.

    ``status_code`` is the HTTP status when there was one, ``detail`` the parsed error
    body (or text). ``response`` and ``reason`` are aliases of ``detail`` kept for code
    written against the seed document.
    """

    default_message = "Synapse client error"

    def __init__(
        self,
        status_code: int | None = None,
        detail: Any = None,
        *,
        method: str | None = None,
        url: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.status_code = status_code
        self.detail = detail if detail is not None else self.default_message
        self.method = method
        self.url = url
        self.hint = hint
        super().__init__(self._render())

    @property
    def response(self) -> Any:
        """The error body, as the seed's examples read it (``e.response``)."""
        return self.detail

    @property
    def reason(self) -> Any:
        """Alias of :attr:`detail` for seed-era code."""
        return self.detail

    def _render(self) -> str:
        parts = []
        if self.status_code is not None:
            parts.append(f"{self.status_code}:")
        parts.append(_describe(self.detail))
        if self.method and self.url:
            parts.append(f"({self.method} {self.url})")
        text = " ".join(parts)
        if self.hint:
            text += f". {self.hint}"
        return text

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            _rebuild_error,
            (type(self), self.status_code, self.detail, self.method, self.url, self.hint, self.__dict__),
        )


def _rebuild_error(
    cls: type[ClientError],
    status_code: int | None,
    detail: Any,
    method: str | None,
    url: str | None,
    hint: str | None,
    state: dict[str, Any],
) -> ClientError:
    error = cls.__new__(cls)
    ClientError.__init__(error, status_code, detail, method=method, url=url, hint=hint)
    error.__dict__.update(state)
    return error


def _describe(detail: Any) -> str:
    """Flatten a DRF error body into one readable line."""
    if isinstance(detail, dict):
        if set(detail) == {"detail"}:
            return str(detail["detail"])
        items = []
        for key, value in detail.items():
            if isinstance(value, list):
                value = "; ".join(str(v) for v in value)
            items.append(f"{key}: {value}")
        return ", ".join(items)
    return str(detail)


class ConfigurationError(ClientError):
    """The client cannot be set up (no base URL, malformed option)."""

    default_message = "Invalid configuration"


class InvalidInputError(ClientError, ValueError):
    """The caller passed something we refuse before sending any request."""

    default_message = "Invalid input"


class ReadOnlyFieldError(InvalidInputError, AttributeError):
    """A server-set field was assigned on the client."""


class DeferredFieldError(InvalidInputError, AttributeError):
    """A field was read that the server did not send (the object was loaded with ``fields=``)."""


class APIConnectionError(ClientError):
    """No complete answer came back (refused, reset, DNS, dropped)."""

    default_message = "Could not reach the Synapse backend"


class APITimeoutError(APIConnectionError):
    """The connect or read timeout elapsed."""

    default_message = "The Synapse backend did not answer in time"


class JobTimeoutError(APITimeoutError):
    """A job did not reach a terminal status within the time given to ``Job.wait()``."""

    default_message = "The job did not finish in time"


class TLSError(APIConnectionError):
    """The TLS handshake or the certificate check failed, so nothing was sent.

    ``__cause__`` is the underlying :mod:`ssl` error; the message gives its reason.
    """

    default_message = "TLS with the Synapse backend failed"


class ResponseIncompleteError(APIConnectionError):
    """A non-idempotent request lost its answer (or a gateway answered 502/504); the server may have applied it."""

    default_message = "The answer was lost after the request was sent; the server may have applied it"


class HTTPError(ClientError):
    """The server answered with an error status."""

    default_message = "HTTP error"


class BadRequestError(HTTPError):
    """400/422: the server rejected the payload. ``field_errors`` maps field -> messages."""

    @property
    def field_errors(self) -> dict[str, list[str]]:
        if not isinstance(self.detail, dict):
            return {}
        return {
            str(key): [str(v) for v in value] if isinstance(value, list) else [str(value)]
            for key, value in self.detail.items()
            if key != "detail"
        }


class AuthenticationError(HTTPError):
    """401: the token is missing or wrong."""


class PermissionDeniedError(HTTPError):
    """403: the token is valid but may not do this."""


class NotFoundError(HTTPError):
    """404: no such object or route."""


class MethodNotAllowedError(HTTPError):
    """405: the endpoint exists but not with this method."""


class ConflictError(HTTPError):
    """409: the change conflicts with the current state."""


class RateLimitError(HTTPError):
    """429: too many requests; ``retry_after`` is the server's advice in seconds."""

    retry_after: float | None = None


class ServerError(HTTPError):
    """5xx: the server failed; retrying later may help."""


class ResponseError(ClientError):
    """The server answered with something we cannot parse or use."""

    default_message = "Unexpected response from the Synapse backend"


class IncompleteListingError(ResponseError):
    """A walk over a listing did not yield the number of items the server said it holds.

    ``expected`` is the server's count, ``got`` what the walk yielded, ``url`` the page where it
    went wrong. The listing is unusable as a whole: retry it, or narrow it with filters.
    """

    default_message = "The listing was incomplete"

    def __init__(self, detail: Any = None, *, expected: int, got: int, url: str | None = None) -> None:
        self.expected = expected
        self.got = got
        super().__init__(None, detail, url=url)


class MultipleObjectsReturned(ClientError):
    """``get()`` expected one object and found several."""

    default_message = "More than one object matched"


@dataclass(frozen=True)
class UploadFailure:
    """One failed item of a batch upload or bulk create; ``path`` names the item.

    ``in_doubt`` is True when the server may have created the item although we could not see it
    (its answer was lost and looking it up failed too); running the same call again looks first.
    """

    path: str
    reason: str
    error: BaseException | None = None
    in_doubt: bool = False


def _list_failures(head: str, failures: list[UploadFailure], shown: int = 20) -> str:
    lines = [head, *(f"  {f.path}: {f.reason}" for f in failures[:shown])]
    if len(failures) > shown:
        lines.append(f"  ... and {len(failures) - shown} more")
    return "\n".join(lines)


class UploadError(ClientError):
    """One or more uploads failed. ``failures`` lists them; ``results`` holds what succeeded."""

    default_message = "Upload failed"

    def __init__(
        self,
        detail: Any = None,
        *,
        failures: list[UploadFailure] | None = None,
        results: list[Any] | None = None,
    ) -> None:
        self.failures = list(failures or [])
        self.results = list(results or [])
        if detail is None and self.failures:
            detail = _list_failures(f"{len(self.failures)} upload(s) failed:", self.failures)
        super().__init__(None, detail)


class BulkCreateError(ClientError):
    """Some items of a bulk create were not created, or may have been.

    ``results`` holds the created object (or None) per input item, ``failures`` one entry per
    missing item and ``in_doubt`` the indices of the items the server may have created unseen.
    Running the same call again looks those up before creating anything.
    """

    default_message = "Bulk create failed"

    def __init__(
        self,
        detail: Any = None,
        *,
        failures: list[UploadFailure] | None = None,
        results: list[Any] | None = None,
        in_doubt: list[int] | None = None,
    ) -> None:
        self.failures = list(failures or [])
        self.results = list(results or [])
        self.in_doubt = list(in_doubt or [])
        if detail is None and self.failures:
            head = f"{len(self.failures)} of {len(self.results)} item(s) not created"
            if self.in_doubt:
                head += f", {len(self.in_doubt)} of them in doubt (run the same call again to settle them)"
            detail = _list_failures(head + ":", self.failures)
        super().__init__(None, detail)


class IntegrityError(ClientError):
    """What arrived differs from what was sent (checksum or size mismatch)."""

    default_message = "Checksum mismatch"


class RequestBudgetExceeded(ClientError, AssertionError):
    """A block guarded by ``no_requests()``/``expect_requests(n)`` sent more or fewer requests than allowed."""


class SchemaWarning(UserWarning):
    """The server sent a value whose type the client's declaration does not expect; it was kept as sent.

    Issued once per field. ``Session(strict=True)`` raises :class:`ResponseError` instead.
    """


class ListingChangedWarning(UserWarning):
    """The server's count changed during a walk: items were added or removed meanwhile.

    Items may be missing or repeated. ``queryset.strict()`` raises :class:`IncompleteListingError` instead.
    """
