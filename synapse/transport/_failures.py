"""How far a failed attempt got and why, decided from facts the seam gathered about it.

The seam (:mod:`synapse.transport._http`) knows the HTTP library's exception types; this module
only reasons about them. Whether the server may have the request is never guessed for TLS or
connect failures: the connection records when it was ready to carry the request. The cause kept
is safe to show: the innermost exception (an ``ssl``, socket or ``http.client`` error), cut loose
from the library's wrappers, whose messages name the URL and whose context may hold a header.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

FailureKind = Literal["refused", "connect_timeout", "tls", "read_timeout", "deadline", "dropped", "invalid"]
NEVER_SENT: frozenset[FailureKind] = frozenset({"refused", "connect_timeout", "tls", "invalid"})
"""Failures that certainly happened before the request could reach the server."""

_PLAIN_HTTP_REASONS = frozenset(
    {"WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "HTTP_REQUEST", "PACKET_LENGTH_TOO_LONG"}
)
"""What OpenSSL reports when the other side answers a TLS hello in plain HTTP."""
_LIBRARIES = frozenset({"requests", "urllib3"})


@dataclass(frozen=True)
class Facts:
    """What the seam established about one failed attempt."""

    sendable: bool
    """A connection was ready to carry the request: the server may have it."""
    cut: bool
    """The answer's deadline had passed."""
    tls: bool
    """The URL is https."""
    invalid: str | None
    """What the HTTP library refused to send, if it did (a malformed URL or header value)."""
    timed_out: bool
    connected: bool
    """The TCP connection was made (the failure came after it)."""


class TransportFailure(Exception):
    """One attempt failed below HTTP. ``kind`` tells whether the request may have reached the server;
    ``cause`` is the underlying error, safe to chain to the caller's error."""

    def __init__(self, kind: FailureKind, description: str, cause: BaseException | None = None) -> None:
        super().__init__(description)
        self.kind = kind
        self.description = description
        self.cause = cause

    @property
    def never_sent(self) -> bool:
        return self.kind in NEVER_SENT


def classify(chain: list[BaseException], facts: Facts) -> TransportFailure:
    """The failure of an attempt, from the exceptions raised (outermost first) and the facts."""
    cause = _cause(chain)
    if facts.invalid is not None:
        return TransportFailure("invalid", facts.invalid)
    if facts.cut:
        return TransportFailure("deadline", "the answer did not arrive before its deadline", cause)
    if not facts.sendable:
        return _before_sending(chain, cause, facts)
    if facts.timed_out:
        return TransportFailure("read_timeout", "no answer within the read timeout", cause)
    reason = f": {_describe(cause)}" if cause is not None else ""
    return TransportFailure("dropped", f"the connection broke before the answer was complete{reason}", cause)


def _before_sending(chain: list[BaseException], cause: BaseException | None, facts: Facts) -> TransportFailure:
    import ssl  # loaded with the HTTP library anyway; not at ``import synapse``

    tls_error = next((e for e in chain if isinstance(e, (ssl.SSLError, ssl.CertificateError))), None)
    if tls_error is not None:
        return TransportFailure("tls", tls_reason(tls_error), _detached(tls_error))
    if facts.timed_out:
        return TransportFailure("connect_timeout", "connecting took longer than the connect timeout", cause)
    if facts.tls and facts.connected:
        detail = _describe(cause) if cause is not None else "the server closed the connection"
        return TransportFailure("tls", f"the TLS handshake broke off: {detail}", cause)
    reason = _describe(cause) if cause is not None else "refused or unreachable"
    return TransportFailure("refused", f"could not connect to the backend ({reason})", cause)


def tls_reason(error: BaseException) -> str:
    """A readable reason for a TLS failure, with advice when the server speaks plain HTTP."""
    import ssl

    if isinstance(error, ssl.SSLCertVerificationError):
        return f"certificate verify failed: {error.verify_message}"
    reason = getattr(error, "reason", None)
    if isinstance(reason, str):
        text = reason.lower().replace("_", " ")
        if reason in _PLAIN_HTTP_REASONS:
            text += " (the server seems to speak plain HTTP: try an http:// base URL)"
        return text
    return _describe(error)


def chain_of(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and every exception it wraps: causes, contexts, ``reason`` and exception arguments."""
    seen: set[int] = set()
    pending = [exc]
    while pending:
        current = pending.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        inner = [getattr(current, "reason", None), current.__cause__, current.__context__, *current.args]
        pending.extend(e for e in inner if isinstance(e, BaseException))


def _cause(chain: list[BaseException]) -> BaseException | None:
    """The innermost exception not raised by the HTTP library itself (a socket, ssl or http.client error)."""
    for error in reversed(chain):
        module = type(error).__module__.split(".")[0]
        if module not in _LIBRARIES and not isinstance(error, TransportFailure):
            return _detached(error)
    return None


def _detached(error: BaseException) -> BaseException:
    """``error`` without links to the exceptions around it (they name URLs and carry headers)."""
    error.__cause__ = None
    error.__context__ = None
    error.__suppress_context__ = True
    return error


def _describe(error: BaseException) -> str:
    return str(error) or type(error).__name__


class DeadlineExceeded(Exception):
    """Reading an answer took longer than its total deadline."""


class AnswerTooLarge(Exception):
    """The answer (decoded) is larger than the caller allows; ``announced`` is its Content-Length, if known."""

    def __init__(self, announced: int | None) -> None:
        super().__init__("answer too large")
        self.announced = announced


class Undecodable(Exception):
    """The body's content encoding (gzip, deflate...) is corrupt."""
