"""The Session: settings, credentials, retries and answers for every request to the backend.

Everything else in the package calls :meth:`Session.request` (JSON answers) or
:meth:`Session.stream` (file transfers). The session decides what is retried
(:class:`~synapse.transport.retry.RetryPolicy`), maps statuses and transport failures to
:mod:`synapse.errors`, counts requests for budgets and keeps credentials out of every message.
The HTTP library itself is behind :mod:`synapse.transport._http`.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from .._version import __version__
from ..errors import InvalidInputError
from . import context
from ._answers import Answers, StreamedResponse
from ._failures import TransportFailure
from ._redact import Redactor, userinfo_secrets
from ._wire import NO_BODY, can_rewind, parse_retry_after, query_pairs, request_body, rewind
from .budget import budget, charge
from .retry import RetryPolicy
from .settings import (
    DEFAULT_MAX_ANSWER_BYTES,
    Credentials,
    Timeouts,
    TimeoutSpec,
    as_float,
    count,
    resolve_base_url,
    resolve_credentials,
)

if TYPE_CHECKING:
    from ._http import HttpResponse

logger = logging.getLogger("synapse")


class Cache(Protocol):
    """Per-session state kept by layers above the transport (the identity map)."""

    def expire_all(self) -> None: ...


class Session:
    """Connection settings, transport and caches shared by every object it loads.

    Arguments win over ``SYNAPSE_BASE_URL``, ``SYNAPSE_API_TOKEN`` (or ``SYNAPSE_ACCESS_TOKEN``),
    ``SYNAPSE_AGENT_TOKEN`` and ``SYNAPSE_TENANT``. One session may be shared by many threads.
    """

    def __init__(
        self,
        base_url: str | None = None,
        api_token: str | None = None,
        agent_token: str | None = None,
        tenant: str | None = None,
        timeout: TimeoutSpec = None,
        *,
        access_token: str | None = None,
        token: str | None = None,
        authorization_token: str | None = None,
        url_host: str | None = None,
        max_retries: int = 3,
        backoff_factor: float = 0.5,
        backoff_max: float = 30.0,
        retry_after_max: float = 60.0,
        retry: RetryPolicy | None = None,
        cache_ttl: float = 60.0,
        cache_maxsize: int = 4096,
        pool_maxsize: int = 32,
        verify: bool | str = True,
        max_answer_bytes: int = DEFAULT_MAX_ANSWER_BYTES,
        strict: bool = False,
    ) -> None:
        self.base_url = resolve_base_url(base_url)
        self._credentials: Credentials = resolve_credentials(
            api_token=api_token,
            access_token=access_token,
            token=token,
            authorization_token=authorization_token,
            agent_token=agent_token,
            tenant=tenant,
        )
        self.timeouts = Timeouts.parse(timeout)
        self.max_answer_bytes = count(max_answer_bytes, "max_answer_bytes")
        self.retry = retry or RetryPolicy(
            max_retries=max_retries,
            backoff_factor=as_float(backoff_factor, "backoff_factor"),
            backoff_max=as_float(backoff_max, "backoff_max"),
            retry_after_max=as_float(retry_after_max, "retry_after_max"),
        )
        self.cache_ttl = as_float(cache_ttl, "cache_ttl")
        self.cache_maxsize = count(cache_maxsize, "cache_maxsize", minimum=0)
        self.url_host = url_host
        self.strict = strict  # raise on server values whose type a declaration rules out, instead of keeping them
        origin = urlsplit(self.base_url)
        self._origin = (origin.scheme.lower(), origin.netloc.lower())
        self._auth_headers = self._credentials.headers()
        self._redactor = Redactor((*self._credentials.secrets(), *userinfo_secrets(self.base_url)))
        self._answers = Answers(self._redactor, self.retry, self.base_url, max_answer_bytes)
        pool = count(pool_maxsize, "pool_maxsize")
        # The HTTP library loads with the first session, not with ``import synapse``: scripts and
        # notebooks that only define or import resources do not pay for requests and urllib3.
        from ._http import HttpClient

        self._http = HttpClient(pool_maxsize=pool, verify=verify, user_agent=f"synapse-orm/{__version__}")
        self._caches: dict[str, Cache] = {}
        self._caches_lock = threading.Lock()
        self._count_lock = threading.Lock()
        self._request_count = 0

    # -- presentation ---------------------------------------------------------------------

    def __repr__(self) -> str:
        return f"<Session {self._redactor.url(self.base_url)} auth={self._credentials.describe()}>"

    def redact(self, text: str) -> str:
        """``text`` with every credential (and every value marked with :meth:`secret`) replaced by ``***``."""
        return self._redactor.redact(text)

    def secret(self, *values: str) -> contextlib.AbstractContextManager[None]:
        """Treat ``values`` as credentials inside the block, e.g. a token that is part of a URL path.

        Log lines, error messages and error URLs built in the block show ``***`` instead.
        """
        return self._redactor.extra(*values)

    # -- lifecycle and scoping ------------------------------------------------------------

    def __enter__(self) -> Session:
        context.enter_scope(self)
        return self

    def __exit__(self, *exc: object) -> None:
        context.exit_scope()

    def close(self) -> None:
        """Close pooled connections. The session can still be used; it reconnects."""
        self._http.close()

    def __getstate__(self) -> Any:
        raise TypeError("a Session holds credentials and connections and cannot be pickled; pickle resources instead")

    # -- caches of the layers above ---------------------------------------------------------

    def cache(self, name: str, factory: Any) -> Any:
        """The per-session cache called ``name``, made by ``factory(session)`` on first use."""
        with self._caches_lock:
            found = self._caches.get(name)
            if found is None:
                found = self._caches[name] = factory(self)
            return found

    def expire_all(self) -> None:
        """Treat every cached object as stale: the next ``get`` of any id sends a request."""
        with self._caches_lock:
            caches = list(self._caches.values())
        for cache in caches:
            cache.expire_all()

    # -- counters -------------------------------------------------------------------------

    @property
    def request_count(self) -> int:
        """HTTP attempts sent by this session so far (retries included)."""
        return self._request_count

    def expect_requests(self, n: int) -> contextlib.AbstractContextManager[None]:
        """Fail if the block sends more than ``n`` requests (at the first extra one) or fewer."""
        return budget(self, n, exact=True)

    def no_requests(self) -> contextlib.AbstractContextManager[None]:
        """Fail at the first request sent inside the block (a guard against N+1 loops)."""
        return budget(self, 0, exact=False)

    # -- URL handling ---------------------------------------------------------------------

    def url(self, path: str) -> str:
        """Join a relative API path to the base URL; absolute URLs pass unchanged."""
        if not isinstance(path, str):
            raise InvalidInputError(None, f"path must be a string, not {type(path).__name__}")
        if path.lower().startswith(("http://", "https://")):
            return path
        return f"{self.base_url}/{path.lstrip('/')}"

    def is_own_url(self, url: str) -> bool:
        """True when ``url`` points at the backend's own scheme, host and port."""
        parts = urlsplit(url)
        return (parts.scheme.lower(), parts.netloc.lower()) == self._origin

    # -- requests -------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = NO_BODY,
        data: Any = None,
        files: Any = None,
        headers: Mapping[str, str] | None = None,
        timeout: Timeouts | None = None,
        retries: int | None = None,
        raw: bool = False,
    ) -> Any:
        """Send one API request with retries and return the decoded answer.

        JSON bodies come back as dicts/lists, 204 as ``None``, other 2xx bodies as text; with
        ``raw`` the body bytes come back undecoded (list pages are built straight from them).
        Statuses >= 400 raise the matching :mod:`synapse.errors` class.
        """
        method = method.upper()
        url = self.url(path)
        shown = self._shown(url)
        timeouts = timeout or self.timeouts
        response = self._send(method, url, params, json, data, files, headers, timeouts, retries, auth=True)
        try:
            body = self._answers.read(response, method, shown, timeouts)
        finally:
            response.close()
        if response.status >= 400:
            raise self._answers.error(response, body, method, shown, api=self.is_own_url(url))
        return body if raw else self._answers.decode(response, body, method, shown)

    def get(self, path: str, params: Mapping[str, Any] | None = None, **kwargs: Any) -> Any:
        return self.request("GET", path, params=params, **kwargs)

    def post(self, path: str, json: Any = NO_BODY, **kwargs: Any) -> Any:
        return self.request("POST", path, json=json, **kwargs)

    def put(self, path: str, json: Any = NO_BODY, **kwargs: Any) -> Any:
        return self.request("PUT", path, json=json, **kwargs)

    def patch(self, path: str, json: Any = NO_BODY, **kwargs: Any) -> Any:
        return self.request("PATCH", path, json=json, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Any:
        return self.request("DELETE", path, **kwargs)

    @contextlib.contextmanager
    def stream(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        timeout: Timeouts | None = None,
        retries: int | None = None,
        auth: bool = False,
        decode: bool = True,
    ) -> Iterator[StreamedResponse]:
        """Open a streamed answer for a file transfer; read it with ``iter_bytes``/``iter_lines``.

        File URLs are presigned or public, so by default no auth header is sent; even with
        ``auth=True`` credentials only go to the backend's own host. Error statuses raise.
        Shown URLs (errors, logs) lose their query string: it may carry a signature. ``decode=False``
        asks for ``Accept-Encoding: identity`` and yields the body exactly as sent, never decompressed.
        The status line and headers are bounded by the total timeout, the body by the read timeout.
        """
        method = method.upper()
        timeouts = timeout or self.timeouts
        full = self.url(url)
        shown = self._redactor.url(full, query=False)
        sent_headers = dict(headers or {})
        if not decode and not any(name.lower() == "accept-encoding" for name in sent_headers):
            sent_headers["Accept-Encoding"] = "identity"
        response = self._send(
            method, full, None, NO_BODY, None, None, sent_headers, timeouts, retries, auth=auth, shown=shown
        )
        try:
            if response.status >= 400:
                body = self._answers.read(response, method, shown, timeouts)
                raise self._answers.error(response, body, method, shown, api=False)
            yield StreamedResponse(response, shown, self.max_answer_bytes, decode)
        finally:
            response.close()

    # -- internals ------------------------------------------------------------------------

    def _send(
        self,
        method: str,
        url: str,
        params: Mapping[str, Any] | None,
        json_body: Any,
        data: Any,
        files: Any,
        headers: Mapping[str, str] | None,
        timeouts: Timeouts,
        retries: int | None,
        *,
        auth: bool,
        shown: str | None = None,
    ) -> HttpResponse:
        """Send with the retry policy; return the final response (any status)."""
        shown = shown or self._shown(url)
        own_host = self.is_own_url(url)
        request_headers: dict[str, str] = dict(self._auth_headers) if auth and own_host else {}
        request_headers.update(headers or {})
        body, content_type = request_body(method, json_body, data, files)
        if content_type:
            request_headers["Content-Type"] = content_type
        query = query_pairs(params)
        if self.url_host and own_host:
            query = [("url_host", self.url_host), *[(k, v) for k, v in query if k != "url_host"]]
        limit = self.retry.max_retries if retries is None else retries
        resendable = files is None or can_rewind(files)
        attempt = 0
        while True:
            self._count(method, shown)
            started = time.monotonic()
            try:
                response = self._http.send(
                    method,
                    url,
                    params=query,
                    body=body,
                    files=files,
                    headers=request_headers,
                    timeout=(timeouts.connect, timeouts.read),
                    total=timeouts.total,
                    redact=self.redact,
                )
            except TransportFailure as failure:
                error = self._answers.failure(failure, method, shown, timeouts)
                if not self.retry.should_retry_failure(method, failure.kind) or not resendable or attempt >= limit:
                    raise error from failure.cause
                delay = self.retry.pause(attempt)
                logger.info(
                    "%s %s failed (%s); retry %d after %.2fs", method, shown, type(error).__name__, attempt + 1, delay
                )
            else:
                elapsed = (time.monotonic() - started) * 1000
                logger.debug("%s %s -> %d in %.0f ms", method, shown, response.status, elapsed)
                if 300 <= response.status < 400:
                    response.close()
                    raise self._answers.redirect(response, method, shown)
                if not self.retry.should_retry_status(method, response.status) or attempt >= limit or not resendable:
                    return response
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                response.close()
                delay = self.retry.pause(attempt, retry_after)
                logger.info("%s %s -> %d; retry %d after %.2fs", method, shown, response.status, attempt + 1, delay)
            attempt += 1
            if files is not None:
                rewind(files)

    def _shown(self, url: str) -> str:
        """``url`` as errors and logs show it; a foreign host's query (a presigned signature) is dropped."""
        return self._redactor.url(url, query=self.is_own_url(url))

    def _count(self, method: str, shown: str) -> None:
        charge(self, f"{method} {shown}")
        with self._count_lock:
            self._request_count += 1
