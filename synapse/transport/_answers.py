"""Turning what came back (or did not) into a Python value or a :mod:`synapse.errors` exception.

Kept apart from the session's request loop: the loop decides *whether* to try again, this
module decides *what the caller sees*. Every message goes through the session's redactor.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

from ..errors import (
    APIConnectionError,
    APITimeoutError,
    ClientError,
    InvalidInputError,
    ResponseError,
    ResponseIncompleteError,
    error_for_status,
)
from ._http import DeadlineExceeded, HttpResponse, TransportFailure
from ._redact import Redactor
from ._wire import parse_retry_after, summarise_text
from .retry import GATEWAY_STATUSES, RetryPolicy
from .settings import Timeouts

CHECK_FIRST = "Check whether it took effect before sending it again"


class StreamedResponse:
    """A streamed answer: status, headers and the body as it arrives.

    A stream that breaks off raises :class:`~synapse.errors.APIConnectionError` (URL redacted).
    """

    def __init__(self, response: HttpResponse, shown_url: str) -> None:
        self._response = response
        self._shown_url = shown_url
        self.status = response.status
        self.headers = response.headers

    def iter_bytes(self, chunk_size: int = 1 << 16) -> Iterator[bytes]:
        try:
            yield from self._response.iter_bytes(chunk_size)
        except TransportFailure as failure:
            raise APIConnectionError(
                None, f"the transfer broke off: {failure.description}", url=self._shown_url
            ) from None

    def iter_lines(self) -> Iterator[str]:
        try:
            yield from self._response.iter_lines()
        except TransportFailure as failure:
            raise APIConnectionError(
                None, f"the stream broke off: {failure.description}", url=self._shown_url
            ) from None


class Answers:
    """Reads bodies and builds the caller's value or error for one session."""

    def __init__(self, redactor: Redactor, retry: RetryPolicy) -> None:
        self._redactor = redactor
        self._retry = retry

    def failure(self, failure: TransportFailure, method: str, url: str, timeouts: Timeouts) -> ClientError:
        """The error for an attempt that got no complete answer; says whether the server may have acted."""
        shown = self._redactor.redact(url)
        kind = failure.kind
        if kind == "invalid_url":
            return InvalidInputError(None, f"invalid URL: {shown}")
        if kind == "connect_timeout":
            detail = f"connecting to the backend took longer than {timeouts.connect:g}s"
            return APITimeoutError(None, detail, method=method, url=shown)
        if kind == "refused":
            detail = "could not connect to the backend (refused or unreachable)"
            hint = "Check base_url and that the backend is running"
            return APIConnectionError(None, detail, method=method, url=shown, hint=hint)
        if kind == "tls":
            detail = "the TLS handshake with the backend failed; nothing was sent"
            return APIConnectionError(None, detail, method=method, url=shown, hint="Check the certificate (verify=)")
        applied = self._retry.may_have_applied(method)
        if kind == "read_timeout":
            detail = "the backend did not answer within the read timeout"
            if applied:
                detail += "; the server may have applied the request"
                return ResponseIncompleteError(None, detail, method=method, url=shown)
            return APITimeoutError(None, detail, method=method, url=shown)
        if applied:
            detail = f"{failure.description} after the request was sent; the server may have applied it"
            return ResponseIncompleteError(None, detail, method=method, url=shown)
        return APIConnectionError(None, failure.description, method=method, url=shown)

    def read(self, response: HttpResponse, method: str, url: str, timeouts: Timeouts) -> bytes:
        """The whole body, bounded by the total timeout (a slow drip cannot hang us)."""
        try:
            return response.read(time.monotonic() + timeouts.total)
        except DeadlineExceeded:
            detail = f"reading the answer took longer than {timeouts.total:g}s"
            raise APITimeoutError(None, detail, method=method, url=self._redactor.redact(url)) from None
        except TransportFailure as failure:
            raise self.failure(failure, method, url, timeouts) from None

    def decode(self, response: HttpResponse, body: bytes, method: str, url: str) -> Any:
        """JSON as Python values, 204 or an empty body as ``None``, other bodies as text."""
        if response.status == 204 or not body:
            return None
        try:
            return json.loads(body)
        except ValueError:
            if "json" in response.headers.get("Content-Type", ""):
                shown = self._redactor.redact(url)
                detail = "the backend sent malformed or truncated JSON"
                raise ResponseError(response.status, detail, method=method, url=shown) from None
            return body.decode(response.encoding or "utf-8", errors="replace")

    def error(self, response: HttpResponse, body: bytes, method: str, url: str) -> ClientError:
        """The typed error for a status >= 400, with the body's detail (redacted) and ``Retry-After``."""
        status = response.status
        detail: Any
        try:
            detail = json.loads(body) if body else response.reason or f"HTTP {status}"
        except ValueError:
            detail = summarise_text(body.decode("utf-8", errors="replace")) or response.reason
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        shown = self._redactor.redact(url)
        if status in GATEWAY_STATUSES and self._retry.may_have_applied(method):
            hint = f"A gateway answered {status} after the request was sent, so the backend may have applied it. "
            return ResponseIncompleteError(
                status, self._redactor.redact_value(detail), method=method, url=shown, hint=hint + CHECK_FIRST
            )
        return error_for_status(
            status, self._redactor.redact_value(detail), method=method, url=shown, retry_after=retry_after
        )
