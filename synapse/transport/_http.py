"""The seam to the HTTP library: the only module that imports ``requests`` and ``urllib3``.

It sends one attempt and hands back a synapse-owned :class:`HttpResponse`, or raises
:class:`TransportFailure` saying how far the attempt got. Whether the request may have reached
the server is not guessed from exception names: the connection class below records when a
connection was ready to carry it. The same class bounds the status line and headers by the
answer's total deadline (a socket timeout bounds each read, not the whole answer).
Policy (retries, error classes, redaction) lives in the session, which never sees a
``requests`` object; swapping the HTTP library means rewriting this module only.
"""

from __future__ import annotations

import contextvars
import http.client
import http.cookiejar
import logging
import socket
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.response import HTTPResponse as Urllib3Response

from ._failures import AnswerTooLarge, DeadlineExceeded, Facts, TransportFailure, Undecodable, chain_of, classify
from ._redact import strip_queries
from .deadlines import WATCHDOG


class _Attempt:
    """What one attempt has done so far, seen by the connection that carries it (same thread)."""

    __slots__ = ("deadline", "redact", "sendable", "sock", "total")

    def __init__(self, total: float, redact: Callable[[str], str]) -> None:
        self.total = total
        self.redact = redact
        self.sendable = False
        """A connection was ready to carry the request: from here on, the server may have it."""
        self.deadline: float | None = None
        """When the answer (status line, headers and, for ``read``, the body) must be complete."""
        self.sock: socket.socket | None = None


_attempt: contextvars.ContextVar[_Attempt | None] = contextvars.ContextVar("synapse_attempt", default=None)


class _Cut:
    """Ends a blocked read on ``sock`` at once (the plain socket call also works under TLS)."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.fired = False

    def __call__(self) -> None:
        self.fired = True
        socket.socket.shutdown(self.sock, socket.SHUT_RDWR)


class _Tracked(HTTPConnection):
    """Marks the attempt sendable once connected, and cuts a too slow status line and headers."""

    def connect(self) -> None:
        super().connect()
        attempt = _attempt.get()
        if attempt is not None:
            attempt.sendable = True

    def request(self, *args: Any, **kwargs: Any) -> None:
        attempt = _attempt.get()
        if attempt is not None and self.sock is not None:
            attempt.sendable = True  # a pooled connection, already connected
        super().request(*args, **kwargs)

    def getresponse(self) -> Urllib3Response:  # type: ignore[override]  # as urllib3's own
        attempt = _attempt.get()
        if attempt is None or self.sock is None:
            return super().getresponse()
        attempt.deadline = time.monotonic() + attempt.total
        attempt.sock = self.sock
        cut = _Cut(self.sock)
        alarm = WATCHDOG.arm(attempt.deadline, cut)
        try:
            response = super().getresponse()
        finally:
            WATCHDOG.disarm(alarm)
        if cut.fired:  # the headers parsed so far may look complete: they are not
            response.close()
            raise TimeoutError("the status line and headers did not arrive before the deadline")
        return response


class _TrackedTLS(_Tracked, HTTPSConnection):
    pass


class _Pool(HTTPConnectionPool):
    ConnectionCls = _Tracked


class _TLSPool(HTTPSConnectionPool):
    ConnectionCls = _TrackedTLS


class _Adapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _Pool, "https": _TLSPool}


class _NoCookies(http.cookiejar.DefaultCookiePolicy):
    """Keep no cookie: the jar is scoped by host, not port, so it would mix the backend and file hosts."""

    def set_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return False

    def return_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return False


class _RedactRecords(logging.Filter):
    """Log records the HTTP library writes during our attempts, with their secrets and query strings removed.

    urllib3 logs each request line (path and query) at DEBUG; a path may hold a token and a
    presigned query a signature. Records written outside our attempts are left alone.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        attempt = _attempt.get()
        if attempt is not None:
            record.msg = attempt.redact(strip_queries(record.getMessage()))
            record.args = None
        return True


def _install_log_filter() -> None:
    names = [name for name in logging.root.manager.loggerDict if name.split(".")[0] in ("urllib3", "requests")]
    for name in {"urllib3", "urllib3.connectionpool", "requests", *names}:
        logger = logging.getLogger(name)
        if not any(isinstance(f, _RedactRecords) for f in logger.filters):
            logger.addFilter(_RedactRecords())


_install_log_filter()


_INVALID_URL = (
    requests.exceptions.InvalidURL,
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidSchema,
    urllib3.exceptions.LocationParseError,
)
_TIMEOUTS = (requests.exceptions.Timeout, urllib3.exceptions.TimeoutError, socket.timeout)
_NEW_CONNECTION = urllib3.exceptions.NewConnectionError
_FAILURES = (requests.exceptions.RequestException, urllib3.exceptions.HTTPError, http.client.HTTPException, OSError)


def _failure(exc: BaseException, *, sendable: bool, cut: bool, tls: bool = False) -> TransportFailure:
    chain = list(chain_of(exc))
    facts = Facts(
        sendable=sendable,
        cut=cut,
        tls=tls,
        invalid=_invalid(chain),
        # urllib3's NewConnectionError (refused, unreachable) subclasses its ConnectTimeoutError
        timed_out=any(isinstance(e, _TIMEOUTS) and not isinstance(e, _NEW_CONNECTION) for e in chain),
        connected=not any(isinstance(e, _NEW_CONNECTION) for e in chain),
    )
    return classify(chain, facts)


def _invalid(chain: list[BaseException]) -> str | None:
    """What was refused before sending; never the value itself (a header may hold a token)."""
    if any(isinstance(e, requests.exceptions.InvalidHeader) for e in chain):
        return "invalid header value (a line break or a character HTTP headers cannot carry)"
    if any(isinstance(e, _INVALID_URL) for e in chain):
        return "invalid URL"
    return None


class HttpResponse:
    """Status, headers and a streamed body, independent of the HTTP library underneath."""

    def __init__(self, raw: requests.Response, attempt: _Attempt) -> None:
        self._raw = raw
        self._deadline = attempt.deadline
        self._sock = attempt.sock
        self.status: int = raw.status_code
        self.reason: str = raw.reason or ""
        self.headers: Mapping[str, str] = raw.headers
        self.encoding: str | None = raw.encoding

    def read(self, limit: int) -> bytearray:
        """The whole (decoded) body, at most ``limit`` bytes, complete before the answer's deadline.

        ``read1`` returns what one socket read brings, decompressed at most 64 KiB at a time, so
        neither a slow drip nor a decompression bomb gets past a check.
        """
        encoded = self.headers.get("Content-Encoding", "identity").strip().lower() not in ("", "identity")
        length = self.headers.get("Content-Length", "")
        if not encoded and length.isdigit() and int(length) > limit:
            raise AnswerTooLarge(int(length))
        deadline = self._deadline if self._deadline is not None else float("inf")
        alarm = WATCHDOG.arm(deadline, _Cut(self._sock)) if self._sock is not None and self._deadline else None
        body = bytearray()
        try:
            # Encoded bodies are inflated 64 KiB at a time (a bomb is caught early); plain ones are read
            # in big blocks, so a page costs few waits for the interpreter lock.
            block = 1 << 16 if encoded else 1 << 20
            while chunk := self._raw.raw.read1(block, decode_content=True):
                body += chunk
                if len(body) > limit:
                    raise AnswerTooLarge(None)
                if time.monotonic() > deadline:
                    raise DeadlineExceeded()
        except urllib3.exceptions.DecodeError:
            raise Undecodable() from None
        except _FAILURES as exc:
            failure = _failure(exc, sendable=True, cut=time.monotonic() >= deadline)
        else:
            return body
        finally:
            if alarm is not None:
                WATCHDOG.disarm(alarm)
        raise failure

    def iter_bytes(self, chunk_size: int, decode: bool) -> Iterator[bytes]:
        """The body in blocks as they arrive, decompressed or exactly as sent; a broken stream raises."""
        try:
            yield from self._raw.raw.stream(chunk_size, decode_content=decode)
        except urllib3.exceptions.DecodeError:
            raise Undecodable() from None
        except _FAILURES as exc:
            failure = _failure(exc, sendable=True, cut=False)
        else:
            return
        raise failure

    def close(self) -> None:
        self._raw.close()


class HttpClient:
    """A pooled connection manager that sends single attempts (no retries, redirects, env proxies or cookies)."""

    def __init__(self, *, pool_maxsize: int, verify: bool | str, user_agent: str) -> None:
        self._session = requests.Session()
        self._session.trust_env = False
        self._session.verify = verify
        self._session.cookies.set_policy(_NoCookies())
        self._session.headers["User-Agent"] = f"{user_agent} python-requests/{requests.__version__}"
        adapter = _Adapter(pool_connections=4, pool_maxsize=pool_maxsize, max_retries=0)
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
        total: float,
        redact: Callable[[str], str],
    ) -> HttpResponse:
        """One attempt; the body is left unread (stream it or ``read`` it).

        ``total`` bounds the answer from the moment the request is sent; ``redact`` cleans the
        HTTP library's log records written meanwhile.
        """
        attempt = _Attempt(total, redact)
        token = _attempt.set(attempt)
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
        except _FAILURES as exc:
            cut = attempt.deadline is not None and time.monotonic() >= attempt.deadline
            failure = _failure(exc, sendable=attempt.sendable, cut=cut, tls=url.lower().startswith("https:"))
        else:
            return HttpResponse(raw, attempt)
        finally:
            _attempt.reset(token)
        raise failure  # outside the except block: no library exception (URL, headers) in its context

    def close(self) -> None:
        self._session.close()


__all__ = ["AnswerTooLarge", "DeadlineExceeded", "HttpClient", "HttpResponse", "TransportFailure", "Undecodable"]
