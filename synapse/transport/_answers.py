"""Turning what came back (or did not) into a Python value or a :mod:`synapse.errors` exception.

Kept apart from the session's request loop: the loop decides *whether* to try again, this
module decides *what the caller sees*. Every URL it is given is already the shown form
(redacted, no userinfo), and every body detail goes through the session's redactor. Answers are
bounded: at most ``limit`` decoded bytes, nested at most :data:`MAX_JSON_DEPTH` deep.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Final

from ..errors import (
    APIConnectionError,
    APITimeoutError,
    ClientError,
    InvalidInputError,
    ResponseError,
    ResponseIncompleteError,
    TLSError,
)
from ._failures import AnswerTooLarge, DeadlineExceeded, TransportFailure, Undecodable
from ._redact import Redactor
from ._wire import parse_retry_after, summarise_text
from .retry import GATEWAY_STATUSES, RetryPolicy
from .settings import Timeouts
from .statuses import error_for_status

if TYPE_CHECKING:
    from ._http import HttpResponse

MAX_JSON_DEPTH: Final = 128
"""Deeper JSON is refused: real answers nest a few levels, and Python code walking a deeper
value (copying, validating, redacting) would run out of stack."""
CHECK_FIRST: Final = "Check whether it took effect before sending it again"


def mib(size: int) -> str:
    return f"{size / (1 << 20):g} MiB"


class StreamedResponse:
    """A streamed answer: status, headers and the body as it arrives.

    A stream that breaks off raises :class:`~synapse.errors.APIConnectionError`; a corrupt
    encoding, an unknown charset or a line longer than the session's answer cap
    :class:`~synapse.errors.ResponseError`.
    """

    def __init__(self, response: HttpResponse, shown_url: str, limit: int, decode: bool) -> None:
        self._response = response
        self._shown_url = shown_url
        self._limit = limit
        self._decode = decode
        self.status = response.status
        self.headers = response.headers

    def iter_bytes(self, chunk_size: int = 1 << 16) -> Iterator[bytes]:
        """The body in blocks; decompressed unless the stream was opened with ``decode=False``."""
        try:
            yield from self._response.iter_bytes(chunk_size, self._decode)
        except TransportFailure as failure:
            detail = f"the transfer broke off: {failure.description}"
            raise APIConnectionError(None, detail, url=self._shown_url) from failure.cause
        except Undecodable:
            raise ResponseError(self.status, "the body's content encoding is corrupt", url=self._shown_url) from None

    def iter_lines(self) -> Iterator[str]:
        """The body as text lines (without their line ends) as they arrive."""
        codec = _codec(self._response, self._shown_url)
        parts: list[bytes] = []
        size = 0
        for chunk in self.iter_bytes():
            if b"\n" not in chunk:
                parts.append(chunk)
                size += len(chunk)
                if size > self._limit:
                    detail = f"the stream sent a line longer than {mib(self._limit)} (max_answer_bytes)"
                    raise ResponseError(self.status, detail, url=self._shown_url)
                continue
            *lines, rest = b"".join([*parts, chunk]).split(b"\n")
            for line in lines:
                yield line.rstrip(b"\r").decode(codec, errors="replace")
            parts, size = [rest], len(rest)
        tail = b"".join(parts)
        if tail:
            yield tail.rstrip(b"\r").decode(codec, errors="replace")


class Answers:
    """Reads bodies and builds the caller's value or error for one session."""

    def __init__(self, redactor: Redactor, retry: RetryPolicy, base_url: str, limit: int) -> None:
        self._redactor = redactor
        self._retry = retry
        self._base_url = base_url
        self.limit = limit

    def failure(self, failure: TransportFailure, method: str, shown: str, timeouts: Timeouts) -> ClientError:
        """The error for an attempt that got no complete answer; says whether the server may have acted."""
        kind = failure.kind
        if kind == "invalid":
            return InvalidInputError(None, f"{failure.description}, nothing was sent: {shown}")
        if kind == "connect_timeout":
            detail = f"connecting to the backend took longer than {timeouts.connect:g}s"
            return APITimeoutError(None, detail, method=method, url=shown)
        if kind == "refused":
            detail = f"{failure.description}; nothing was sent"
            return APIConnectionError(
                None, detail, method=method, url=shown, hint="Check base_url and that the backend is running"
            )
        if kind == "tls":
            detail = f"TLS with the server failed: {failure.description}; nothing was sent"
            return TLSError(None, detail, method=method, url=shown, hint="Check the certificate (verify=) and base_url")
        applied = self._retry.may_have_applied(method)
        if kind == "deadline":
            detail = f"the answer took longer than {timeouts.total:g}s (the total timeout)"
        elif kind == "read_timeout":
            detail = f"the backend did not answer within the read timeout ({timeouts.read:g}s)"
        else:
            detail = failure.description
        if applied:
            detail += "; the request was sent, so the backend may have applied it"
            return ResponseIncompleteError(None, detail, method=method, url=shown, hint=CHECK_FIRST)
        if kind in ("deadline", "read_timeout"):
            return APITimeoutError(None, detail, method=method, url=shown)
        return APIConnectionError(None, detail, method=method, url=shown)

    def read(self, response: HttpResponse, method: str, shown: str, timeouts: Timeouts) -> bytearray:
        """The whole body, bounded in size (``limit``) and time (the total timeout)."""
        try:
            return response.read(self.limit)
        except DeadlineExceeded:
            failure = TransportFailure("deadline", "the answer did not arrive before its deadline")
        except TransportFailure as caught:
            failure = caught
        except AnswerTooLarge as exc:
            size = f"{mib(exc.announced)} announced" if exc.announced is not None else "it did not end"
            detail = f"the answer is larger than {mib(self.limit)} ({size}); raise max_answer_bytes if it is expected"
            raise ResponseError(response.status, detail, method=method, url=shown) from None
        except Undecodable:
            detail = "the answer's content encoding is corrupt"
            raise ResponseError(response.status, detail, method=method, url=shown) from None
        raise self.failure(failure, method, shown, timeouts) from failure.cause

    def decode(self, response: HttpResponse, body: bytes | bytearray, method: str, shown: str) -> Any:
        """JSON as Python values, 204 or an empty body as ``None``, other bodies as text."""
        if response.status == 204 or not body:
            return None
        try:
            return self._json(body, response.status, method, shown)
        except ValueError:
            if "json" in response.headers.get("Content-Type", ""):
                detail = "the backend sent malformed or truncated JSON"
                raise ResponseError(response.status, detail, method=method, url=shown) from None
            return bytes(body).decode(_codec(response, shown, method), errors="replace")

    def error(
        self, response: HttpResponse, body: bytes | bytearray, method: str, shown: str, *, api: bool
    ) -> ClientError:
        """The typed error for a status >= 400, with the body's detail (redacted) and ``Retry-After``.

        ``api`` when the URL is the backend's: a 404 that is not the API's then points at the base URL.
        """
        status = response.status
        detail: Any
        try:
            detail = self._json(body, status, method, shown) if body else response.reason or f"HTTP {status}"
        except ValueError:
            detail = summarise_text(bytes(body).decode("utf-8", errors="replace")) or response.reason
        detail = self._redactor.redact_value(detail)
        if status == 404 and api and not _from_the_api(detail):
            detail = (
                f"{_summary(detail)}. This 404 is not an answer of the Synapse API (its errors are JSON with a "
                f"'detail'), so the base URL {self._redactor.url(self._base_url)} may be wrong: it must include "
                "the API prefix, e.g. http://127.0.0.1:8000/api/v1"
            )
        if status in GATEWAY_STATUSES and self._retry.may_have_applied(method):
            hint = f"A gateway answered {status} after the request was sent, so the backend may have applied it. "
            return ResponseIncompleteError(status, detail, method=method, url=shown, hint=hint + CHECK_FIRST)
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        return error_for_status(status, detail, method=method, url=shown, retry_after=retry_after)

    def redirect(self, response: HttpResponse, method: str, shown: str) -> ResponseError:
        """Redirects are not followed: a POST would become a GET, credentials could follow to another host."""
        location = self._redactor.url(response.headers.get("Location", ""), query=False)
        detail = (
            f"the backend answered with a redirect to {location!r}; "
            "synapse does not follow redirects (check base_url, including its trailing path)"
        )
        return ResponseError(response.status, detail, method=method, url=shown)

    @staticmethod
    def _json(body: bytes | bytearray, status: int, method: str, shown: str) -> Any:
        """Parsed JSON (ValueError when it is not JSON); too deep a value is a ResponseError."""
        try:
            value = json.loads(body)
        except RecursionError:
            value = None
            deep = True
        else:
            deep = _too_deep(value)
        if deep:
            detail = f"the answer's JSON is nested more than {MAX_JSON_DEPTH} levels deep"
            raise ResponseError(status, detail, method=method, url=shown)
        return value


def _too_deep(value: Any) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list) and item:
            if depth >= MAX_JSON_DEPTH:
                return True
            stack.extend((child, depth + 1) for child in item if isinstance(child, (dict, list)))
    return False


def _codec(response: HttpResponse, shown: str, method: str | None = None) -> str:
    """The codec of the answer's charset (UTF-8 when it names none); an unknown one is a ResponseError."""
    charset = response.encoding or "utf-8"
    try:
        return codecs.lookup(charset).name
    except LookupError:
        detail = f"the answer's charset {charset[:40]!r} is unknown"
        raise ResponseError(response.status, detail, method=method, url=shown) from None


def _from_the_api(detail: Any) -> bool:
    """DRF answers every 404 of its views with a JSON object holding ``detail``."""
    return isinstance(detail, dict) and "detail" in detail


def _summary(detail: Any) -> str:
    if isinstance(detail, str):
        return detail or "an empty answer"
    return summarise_text(json.dumps(detail))
