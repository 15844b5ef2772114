"""The Session: the one place that talks HTTP.

It owns the pooled ``requests.Session``, the auth headers, timeouts, the retry policy,
JSON decoding, the mapping of statuses to :mod:`synapse.errors`, the identity map and
the request counter. Everything else in the package calls :meth:`Session.request`
(or :meth:`Session.stream` for file transfers) and never imports ``requests``.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import random
import threading
import time
from collections.abc import Iterator, Mapping
from typing import Any, Final
from urllib.parse import urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter

from ._version import __version__
from .budget import budget, charge
from .config import Credentials, Timeouts, TimeoutSpec, as_float, resolve_base_url, resolve_credentials
from .errors import (
    APIConnectionError,
    APITimeoutError,
    ClientError,
    ConfigurationError,
    InvalidInputError,
    ResponseError,
    ResponseIncompleteError,
    error_for_status,
)
from .identity import IdentityMap
from .wire import can_rewind, encode_json, parse_retry_after, query_pairs, rewind, summarise_text

logger = logging.getLogger("synapse")

RETRY_STATUSES: Final = frozenset({429, 502, 503, 504})
IDEMPOTENT_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
_NO_BODY: Final = object()


_current_session: contextvars.ContextVar[Session | None] = contextvars.ContextVar("synapse_session", default=None)
_scopes: contextvars.ContextVar[tuple[contextvars.Token[Session | None], ...]] = contextvars.ContextVar(
    "synapse_scopes", default=()
)
_extra_secrets: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar("synapse_secrets", default=())
_default_session: Session | None = None
_default_lock = threading.Lock()


class Session:
    """Connection settings, transport and identity map shared by every resource it loads.

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
        cache_ttl: float = 60.0,
        cache_maxsize: int = 4096,
        pool_maxsize: int = 32,
        verify: bool | str = True,
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
        if not isinstance(max_retries, int) or isinstance(max_retries, bool) or max_retries < 0:
            raise ConfigurationError(None, f"max_retries must be a non-negative int, got {max_retries!r}")
        if not isinstance(pool_maxsize, int) or pool_maxsize < 1:
            raise ConfigurationError(None, f"pool_maxsize must be a positive int, got {pool_maxsize!r}")
        self.max_retries = max_retries
        self.backoff_factor = as_float(backoff_factor, "backoff_factor")
        self.backoff_max = as_float(backoff_max, "backoff_max")
        self.retry_after_max = as_float(retry_after_max, "retry_after_max")
        self.url_host = url_host
        self.identity = IdentityMap(ttl=as_float(cache_ttl, "cache_ttl"), maxsize=int(cache_maxsize))
        origin = urlsplit(self.base_url)
        self._origin = (origin.scheme, origin.netloc.lower())
        self._auth_headers = self._credentials.headers()
        self._secrets = self._credentials.secrets()
        self._http = requests.Session()
        self._http.trust_env = False
        self._http.verify = verify
        self._http.headers["User-Agent"] = f"synapse-orm/{__version__} python-requests/{requests.__version__}"
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=pool_maxsize, max_retries=0)
        self._http.mount("http://", adapter)
        self._http.mount("https://", adapter)
        self._count_lock = threading.Lock()
        self._request_count = 0
        self._closed = False

    # -- presentation -------------------------------------------------------------------

    def __repr__(self) -> str:
        return f"<Session {self.base_url} auth={self._credentials.describe()}>"

    def redact(self, text: str) -> str:
        """Replace every credential (and every value marked with :meth:`secret`) in ``text`` with ``***``."""
        for secret in (*self._secrets, *_extra_secrets.get()):
            text = text.replace(secret, "***")
        return text

    def _redact_value(self, value: Any) -> Any:
        """``redact`` applied to every string inside a decoded JSON value (an error body may echo a header)."""
        if isinstance(value, str):
            return self.redact(value)
        if isinstance(value, list):
            return [self._redact_value(item) for item in value]
        if isinstance(value, dict):
            return {self.redact(str(key)): self._redact_value(item) for key, item in value.items()}
        return value

    @contextlib.contextmanager
    def secret(self, *values: str) -> Iterator[None]:
        """Treat ``values`` as credentials inside the block, e.g. a token that is part of a URL path.

        Log lines, error messages and error URLs built in the block show ``***`` instead.
        """
        token = _extra_secrets.set((*_extra_secrets.get(), *(v for v in values if v)))
        try:
            yield
        finally:
            _extra_secrets.reset(token)

    # -- lifecycle and scoping ------------------------------------------------------------

    def __enter__(self) -> Session:
        # The stack of scopes lives in the caller's context, not on the session: several
        # threads may enter the same session at once and each must unwind its own scope.
        _scopes.set((*_scopes.get(), _current_session.set(self)))
        return self

    def __exit__(self, *exc: object) -> None:
        stack = _scopes.get()
        if stack:
            _scopes.set(stack[:-1])
            _current_session.reset(stack[-1])

    def close(self) -> None:
        """Close pooled connections. The session can still be used; it reconnects."""
        self._http.close()

    def __getstate__(self) -> Any:
        raise TypeError("a Session holds credentials and connections and cannot be pickled; pickle resources instead")

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

    def expire_all(self) -> None:
        """Treat every cached object as stale: the next ``get`` of any id sends a request."""
        self.identity.expire_all()

    # -- URL handling ---------------------------------------------------------------------

    def url(self, path: str) -> str:
        """Join a relative API path to the base URL; absolute URLs pass unchanged."""
        if not isinstance(path, str):
            raise InvalidInputError(None, f"path must be a string, not {type(path).__name__}")
        if path.startswith(("http://", "https://")):
            return path
        return f"{self.base_url}/{path.lstrip('/')}"

    def is_own_url(self, url: str) -> bool:
        """True when ``url`` points at the backend's own scheme, host and port."""
        parts = urlsplit(url)
        return (parts.scheme, parts.netloc.lower()) == self._origin

    # -- requests -------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = _NO_BODY,
        data: Any = None,
        files: Any = None,
        headers: Mapping[str, str] | None = None,
        timeout: Timeouts | None = None,
        retries: int | None = None,
    ) -> Any:
        """Send one API request with retries and return the decoded answer.

        JSON bodies come back as dicts/lists, 204 as ``None``, other 2xx bodies as text.
        Statuses >= 400 raise the matching :mod:`synapse.errors` class.
        """
        method = method.upper()
        url = self.url(path)
        timeouts = timeout or self.timeouts
        response = self._send(
            method, url, params=params, json=json, data=data, files=files, headers=headers,
            timeouts=timeouts, retries=retries, stream=True,
        )
        try:
            body = self._read_body(response, method, url, timeouts)
        finally:
            response.close()
        if response.status_code >= 400:
            raise self._error(response, body, method, url)
        return self._decode(response, body, method, url)

    def get(self, path: str, params: Mapping[str, Any] | None = None, **kwargs: Any) -> Any:
        return self.request("GET", path, params=params, **kwargs)

    def post(self, path: str, json: Any = _NO_BODY, **kwargs: Any) -> Any:
        return self.request("POST", path, json=json, **kwargs)

    def put(self, path: str, json: Any = _NO_BODY, **kwargs: Any) -> Any:
        return self.request("PUT", path, json=json, **kwargs)

    def patch(self, path: str, json: Any = _NO_BODY, **kwargs: Any) -> Any:
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
    ) -> Iterator[requests.Response]:
        """Open a streamed response for a file transfer; the caller reads ``iter_content``.

        File URLs are presigned or public, so by default no auth header is sent; even with
        ``auth=True`` credentials only go to the backend's own host. Error statuses raise.
        """
        method = method.upper()
        response = self._send(
            method, self.url(url), params=None, json=_NO_BODY, data=None, files=None,
            headers=headers, timeouts=timeout or self.timeouts, retries=retries, stream=True, auth=auth,
        )
        try:
            if response.status_code >= 400:
                body = self._read_body(response, method, url, timeout or self.timeouts)
                raise self._error(response, body, method, url)
            yield response
        finally:
            response.close()

    # -- internals ------------------------------------------------------------------------

    def _send(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None,
        json: Any,
        data: Any,
        files: Any,
        headers: Mapping[str, str] | None,
        timeouts: Timeouts,
        retries: int | None,
        stream: bool,
        auth: bool = True,
    ) -> requests.Response:
        """Send with the retry policy; return the final response (any status)."""
        request_headers: dict[str, str] = {}
        own_host = self.is_own_url(url)
        if auth and own_host:
            request_headers.update(self._auth_headers)
        if headers:
            request_headers.update(headers)
        body: Any = data
        if json is not _NO_BODY:
            body = encode_json(json)
            request_headers["Content-Type"] = "application/json"
        elif files is None and data is None and method in ("POST", "PUT", "PATCH"):
            body = b""
            request_headers["Content-Type"] = "application/json"
        query = query_pairs(params)
        if self.url_host and own_host:
            query = [("url_host", self.url_host), *[(k, v) for k, v in query if k != "url_host"]]
        budget_left = self.max_retries if retries is None else retries
        attempt = 0
        while True:
            self._count(method, url)
            started = time.monotonic()
            try:
                response = self._http.request(
                    method,
                    url,
                    params=query or None,
                    data=body,
                    files=files,
                    headers=request_headers,
                    timeout=(timeouts.connect, timeouts.read),
                    stream=stream,
                    allow_redirects=False,
                )
            except requests.exceptions.RequestException as exc:
                error = self._transport_error(exc, method, url)
                retryable = _is_connect_error(exc) or method in IDEMPOTENT_METHODS
                if files is not None and not can_rewind(files):
                    retryable = False
                if not retryable or attempt >= budget_left:
                    raise error from None
                delay = self._backoff(attempt)
                logger.info("%s %s failed (%s); retry %d in %.2fs", method, self.redact(url),
                            type(error).__name__, attempt + 1, delay)
            else:
                elapsed = (time.monotonic() - started) * 1000
                logger.debug("%s %s -> %d in %.0f ms", method, self.redact(response.url), response.status_code, elapsed)
                if 300 <= response.status_code < 400:
                    response.close()
                    location = response.headers.get("Location", "")
                    raise ResponseError(
                        response.status_code,
                        f"the backend answered with a redirect to {self.redact(location)!r}; "
                        "synapse does not follow redirects (check base_url, including its trailing path)",
                        method=method, url=self.redact(url),
                    )
                if response.status_code not in RETRY_STATUSES or attempt >= budget_left:
                    return response
                if files is not None and not can_rewind(files):
                    return response
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                delay = min(retry_after, self.retry_after_max) if retry_after is not None else self._backoff(attempt)
                response.close()
                logger.info("%s %s -> %d; retry %d in %.2fs", method, self.redact(url),
                            response.status_code, attempt + 1, delay)
            attempt += 1
            if files is not None:
                rewind(files)
            if delay > 0:
                time.sleep(delay)

    def _count(self, method: str, url: str) -> None:
        charge(self, f"{method} {self.redact(url)}")
        with self._count_lock:
            self._request_count += 1

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff, jittered within its upper half so clients that failed together retry apart."""
        ceiling = min(self.backoff_max, self.backoff_factor * (2**attempt))
        return random.uniform(ceiling / 2, ceiling) if ceiling > 0 else 0.0

    def _transport_error(self, exc: requests.exceptions.RequestException, method: str, url: str) -> ClientError:
        safe_url = self.redact(url)
        if isinstance(exc, requests.exceptions.ConnectTimeout):
            return APITimeoutError(
                None, f"connecting to the backend took longer than {self.timeouts.connect:g}s",
                method=method, url=safe_url,
            )
        if isinstance(exc, requests.exceptions.ReadTimeout):
            detail = "the backend did not answer within the read timeout"
            if method not in IDEMPOTENT_METHODS:
                detail += "; the server may have applied the request"
            return APITimeoutError(None, detail, method=method, url=safe_url)
        if _is_connect_error(exc):
            return APIConnectionError(
                None, "could not connect to the backend (refused or unreachable)", method=method, url=safe_url,
                hint="Check base_url and that the backend is running",
            )
        if isinstance(exc, (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError)):
            if method not in IDEMPOTENT_METHODS:
                return ResponseIncompleteError(
                    None, "the connection dropped after the request was sent; the server may have applied it",
                    method=method, url=safe_url,
                )
            return APIConnectionError(None, "the connection dropped before the answer was complete",
                                      method=method, url=safe_url)
        if isinstance(exc, (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                            requests.exceptions.InvalidSchema)):
            return InvalidInputError(None, f"invalid URL: {safe_url}")
        return APIConnectionError(None, f"request failed: {self.redact(type(exc).__name__)}", method=method,
                                  url=safe_url)

    def _read_body(self, response: requests.Response, method: str, url: str, timeouts: Timeouts) -> bytes:
        """Read the whole body, bounded by the total timeout (a slow drip cannot hang us).

        ``read1`` returns whatever one socket read brings, so the deadline is checked after
        every arrival; a buffered read would wait for a full block, however slowly it drips in.
        """
        deadline = time.monotonic() + timeouts.total
        chunks = []
        try:
            while True:
                chunk = response.raw.read1(1 << 16, decode_content=True)
                if not chunk:
                    break
                chunks.append(chunk)
                if time.monotonic() > deadline:
                    raise APITimeoutError(
                        None, f"reading the answer took longer than {timeouts.total:g}s",
                        method=method, url=self.redact(url),
                    )
        except urllib3.exceptions.HTTPError as exc:
            raise self._transport_error(_as_requests_error(exc), method, url) from None
        return b"".join(chunks)

    def _decode(self, response: requests.Response, body: bytes, method: str, url: str) -> Any:
        if response.status_code == 204 or not body:
            return None
        content_type = response.headers.get("Content-Type", "")
        try:
            return json.loads(body)
        except ValueError:
            if "json" in content_type:
                raise ResponseError(
                    response.status_code, "the backend sent malformed or truncated JSON",
                    method=method, url=self.redact(url),
                ) from None
            return body.decode(response.encoding or "utf-8", errors="replace")

    def _error(self, response: requests.Response, body: bytes, method: str, url: str) -> ClientError:
        status = response.status_code
        detail: Any
        try:
            detail = json.loads(body) if body else response.reason or f"HTTP {status}"
        except ValueError:
            detail = summarise_text(body.decode("utf-8", errors="replace")) or response.reason
        detail = self._redact_value(detail)
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        return error_for_status(status, detail, method=method, url=self.redact(url), retry_after=retry_after)


# -- process default and current session ------------------------------------------------


def connect(base_url: str | None = None, api_token: str | None = None, **kwargs: Any) -> Session:
    """Create a session and make it the process default."""
    global _default_session
    session = Session(base_url, api_token, **kwargs)
    with _default_lock:
        _default_session = session
    return session


def get_session() -> Session:
    """The session of the innermost ``with session:`` block, else the process default.

    With neither, a default is built from ``SYNAPSE_*`` variables when they are set.
    """
    global _default_session
    current = _current_session.get()
    if current is not None:
        return current
    with _default_lock:
        if _default_session is None:
            try:
                _default_session = Session()
            except ConfigurationError:
                raise ConfigurationError(
                    None,
                    "No Synapse session: call synapse.connect(base_url, api_token=...) "
                    "or set SYNAPSE_BASE_URL and SYNAPSE_API_TOKEN",
                ) from None
        return _default_session


def set_default_session(session: Session | None) -> None:
    """Replace (or clear, with ``None``) the process default session."""
    global _default_session
    with _default_lock:
        _default_session = session


# -- transport helpers --------------------------------------------------------------------


def _is_connect_error(exc: BaseException) -> bool:
    """True when the request certainly never reached the server."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    if not isinstance(exc, requests.exceptions.ConnectionError):
        return False
    text = repr(exc.args)
    return any(
        marker in text
        for marker in ("NewConnectionError", "Connection refused", "NameResolutionError", "Failed to resolve")
    )


def _as_requests_error(exc: urllib3.exceptions.HTTPError) -> requests.exceptions.RequestException:
    """The ``requests`` exception a body read would have raised, so one classifier serves both."""
    if isinstance(exc, urllib3.exceptions.ReadTimeoutError):
        return requests.exceptions.ReadTimeout(exc)
    if isinstance(exc, urllib3.exceptions.DecodeError):
        return requests.exceptions.ContentDecodingError(exc)
    if isinstance(exc, urllib3.exceptions.SSLError):
        return requests.exceptions.SSLError(exc)
    return requests.exceptions.ChunkedEncodingError(exc)
