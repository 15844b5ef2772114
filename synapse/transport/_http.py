"""The seam to the HTTP library: the only module that imports ``requests`` and ``urllib3``.

It sends one attempt and hands back a synapse-owned :class:`HttpResponse`, or raises
:class:`TransportFailure` saying how far the attempt got (never connected, or sent and then
lost). Policy (retries, error classes, redaction) lives in the session, which never sees a
``requests`` object; swapping the HTTP library means rewriting this module only.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from typing import Any, Literal

import requests
import urllib3
from requests.adapters import HTTPAdapter

FailureKind = Literal["refused", "connect_timeout", "tls", "read_timeout", "dropped", "invalid_url", "other"]
NEVER_SENT: frozenset[FailureKind] = frozenset({"refused", "connect_timeout", "tls", "invalid_url"})
"""Failures that certainly happened before the request reached the server."""


class TransportFailure(Exception):
    """One attempt failed below HTTP. ``kind`` tells whether the request may have reached the server."""

    def __init__(self, kind: FailureKind, description: str) -> None:
        super().__init__(description)
        self.kind = kind
        self.description = description

    @property
    def never_sent(self) -> bool:
        return self.kind in NEVER_SENT


class DeadlineExceeded(Exception):
    """Reading an answer took longer than its total deadline."""


class HttpResponse:
    """Status, headers and a streamed body, independent of the HTTP library underneath."""

    def __init__(self, raw: requests.Response) -> None:
        self._raw = raw
        self.status: int = raw.status_code
        self.reason: str = raw.reason or ""
        self.headers: Mapping[str, str] = raw.headers
        self.url: str = raw.url
        self.encoding: str | None = raw.encoding

    def read(self, deadline: float) -> bytes:
        """The whole (decoded) body, giving up at ``deadline`` (a ``time.monotonic()`` value).

        ``read1`` returns whatever one socket read brings, so the deadline is checked after every
        arrival; a buffered read would wait for a full block however slowly it drips in.
        """
        chunks = []
        try:
            while True:
                chunk = self._raw.raw.read1(1 << 16, decode_content=True)
                if not chunk:
                    break
                chunks.append(chunk)
                if time.monotonic() > deadline:
                    raise DeadlineExceeded()
        except urllib3.exceptions.HTTPError as exc:
            raise _failure_from_urllib3(exc) from None
        return b"".join(chunks)

    def iter_bytes(self, chunk_size: int = 1 << 16) -> Iterator[bytes]:
        """The body in blocks as they arrive (content-decoded); a broken stream raises TransportFailure."""
        try:
            yield from self._raw.iter_content(chunk_size)
        except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            raise _classify(exc) from None

    def iter_lines(self) -> Iterator[str]:
        """The body as text lines as they arrive; a broken stream raises TransportFailure."""
        try:
            for line in self._raw.iter_lines(decode_unicode=True):
                yield line if isinstance(line, str) else line.decode("utf-8", errors="replace")
        except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            raise _classify(exc) from None

    def close(self) -> None:
        self._raw.close()


class HttpClient:
    """A pooled connection manager that sends single attempts (no retries, no redirects, no env proxies)."""

    def __init__(self, *, pool_maxsize: int, verify: bool | str, user_agent: str) -> None:
        self._session = requests.Session()
        self._session.trust_env = False
        self._session.verify = verify
        self._session.headers["User-Agent"] = f"{user_agent} python-requests/{requests.__version__}"
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=pool_maxsize, max_retries=0)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)

    def send(
        self,
        method: str,
        url: str,
        *,
        params: list[tuple[str, Any]] | None,
        body: Any,
        files: Any,
        headers: Mapping[str, str],
        timeout: tuple[float, float],
    ) -> HttpResponse:
        """One attempt; the body is left unread (stream it or ``read`` it)."""
        try:
            raw = self._session.request(
                method,
                url,
                params=params or None,
                data=body,
                files=files,
                headers=dict(headers),
                timeout=timeout,
                stream=True,
                allow_redirects=False,
            )
        except requests.exceptions.RequestException as exc:
            raise _classify(exc) from None
        return HttpResponse(raw)

    def close(self) -> None:
        self._session.close()


_NEVER_CONNECTED_MARKERS = ("NewConnectionError", "Connection refused", "NameResolutionError", "Failed to resolve")


def _classify(exc: BaseException) -> TransportFailure:
    """How far a failed attempt got, from the exception the HTTP library raised."""
    name = type(exc).__name__
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return TransportFailure("connect_timeout", "connecting took longer than the connect timeout")
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return TransportFailure("read_timeout", "no answer within the read timeout")
    if isinstance(exc, requests.exceptions.SSLError):
        return TransportFailure("tls", "the TLS handshake failed")
    if isinstance(
        exc, (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema)
    ):
        return TransportFailure("invalid_url", "invalid URL")
    if isinstance(exc, requests.exceptions.ConnectionError):
        if any(marker in repr(exc.args) for marker in _NEVER_CONNECTED_MARKERS):
            return TransportFailure("refused", "could not connect (refused or unreachable)")
        return TransportFailure("dropped", "the connection dropped before the answer was complete")
    if isinstance(
        exc,
        (
            requests.exceptions.ChunkedEncodingError,
            requests.exceptions.ContentDecodingError,
            urllib3.exceptions.HTTPError,
            OSError,
        ),
    ):
        return TransportFailure("dropped", f"the answer broke off ({name})")
    return TransportFailure("other", f"the request failed ({name})")


def _failure_from_urllib3(exc: urllib3.exceptions.HTTPError) -> TransportFailure:
    if isinstance(exc, urllib3.exceptions.ReadTimeoutError):
        return TransportFailure("read_timeout", "no answer within the read timeout")
    return TransportFailure("dropped", f"the answer broke off ({type(exc).__name__})")
