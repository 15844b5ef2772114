"""The WSGI application: log, latency, faults, routing, auth, error mapping.

Every request ends as JSON; an unexpected exception is a bug in the emulator, so it is answered
with ``{"detail": "Internal server error"}`` *and* appended to ``errors`` for tests to assert on.
"""

from __future__ import annotations

import hmac
import json
import re
import threading
import time
import traceback
from collections import deque
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from werkzeug.wrappers import Request, Response

from synapse.testing.context import Ctx, State
from synapse.testing.faults import Fault, FaultSet
from synapse.testing.http import ApiError, json_response
from synapse.testing.records import HeaderMap, RequestRecord
from synapse.testing.routing import Route, Router

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

_HOST = re.compile(r"^([A-Za-z0-9.\-]+|\[[0-9A-Fa-f:.]+\])(:\d{1,5})?$")
_TOKEN_PREFIX = re.compile(r"^\s*(token|bearer)\s+", re.IGNORECASE)

#: environ key telling the request handler to close the socket instead of answering.
DROP_KEY = "synapse.drop_connection"


def strip_token(value: str | None) -> str:
    return _TOKEN_PREFIX.sub("", value or "").strip()


class Application:
    """The backend's WSGI callable; state lives in ``State`` so reset() is cheap."""

    def __init__(
        self, state: State, router: Router, base_path: str, max_body: int, latency: float, log_limit: int
    ) -> None:
        self.state = state
        self.router = router
        self.base_path = base_path.rstrip("/")
        self.max_body = max_body
        self.latency = latency
        self.faults = FaultSet()
        # Bounded so a benchmark of a million requests cannot eat the memory; ``request_total``
        # keeps counting past the bound.
        self.requests: deque[RequestRecord] = deque(maxlen=log_limit)
        self.request_total = 0
        self.errors: list[dict[str, Any]] = []
        self.log_lock = threading.Lock()
        self.stopping = threading.Event()

    # -- entry point -------------------------------------------------------------------------

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        started = time.monotonic()
        request = Request(environ)
        request.max_content_length = self.max_body
        request.max_form_memory_size = 64 * 1024 * 1024
        method = request.method.upper()
        raw_path = self._raw_path(environ)
        relative = self._relative(raw_path)
        path = unquote(relative) if relative is not None else raw_path
        record = RequestRecord(
            method=method,
            path=path,
            query={k: request.args.getlist(k) for k in request.args},
            headers=HeaderMap(list(request.headers.items())),
            body_size=request.content_length or 0,
            started=time.time(),
        )
        response: Response | None = None
        fault: Fault | None = None
        try:
            if self.latency:
                self.stopping.wait(self.latency)
            fault = self.faults.take(method, path)
            if fault is not None:
                record.fault = fault.name
                if fault.delay:
                    self.stopping.wait(fault.delay)
                if fault.drop_connection == "before":
                    environ[DROP_KEY] = True
                    return []
                if fault.status is not None and fault.drop_connection is None and not fault.after_handler:
                    response = self._fault_response(fault)
            if response is None:
                try:
                    response = self._dispatch(request, relative, path)
                except ApiError as exc:
                    response = json_response(exc.body, exc.status, exc.headers)
                if fault is not None and fault.drop_connection == "after":
                    # Processed (even if it was refused), then never answered.
                    environ[DROP_KEY] = True
                    return []
                if fault is not None and fault.after_handler:
                    response = self._fault_response(fault)  # processed, then answered with the fault's status
        except Exception as exc:
            text = traceback.format_exc()
            with self.log_lock:
                self.errors.append({"method": method, "path": path, "error": repr(exc), "traceback": text})
            record.error = text
            response = json_response({"detail": "Internal server error"}, 500)
        finally:
            record.duration = time.monotonic() - started
            record.status = None if environ.get(DROP_KEY) else (response.status_code if response else None)
            with self.log_lock:
                self.requests.append(record)
                self.request_total += 1
        body = response(environ, start_response)
        if fault is not None and fault.drip:
            return self._drip(body, fault.drip)
        return body

    # -- helpers -----------------------------------------------------------------------------

    def _drip(self, body: Iterable[bytes], seconds_per_byte: float) -> Iterator[bytes]:
        """Send the body one byte at a time (headers, Content-Length included, go out first)."""
        try:
            for data in body:
                for index in range(len(data)):
                    if self.stopping.wait(seconds_per_byte):
                        return
                    yield data[index : index + 1]
        finally:
            close = getattr(body, "close", None)
            if callable(close):
                close()

    @staticmethod
    def _raw_path(environ: WSGIEnvironment) -> str:
        raw = str(environ.get("REQUEST_URI") or environ.get("RAW_URI") or environ.get("PATH_INFO") or "/")
        if raw.startswith(("http://", "https://")):
            raw = urlsplit(raw).path or "/"
        return raw.split("?", 1)[0]

    def _relative(self, raw_path: str) -> str | None:
        """The path below the base (``tasks/1/``), or None when outside it."""
        prefix = self.base_path + "/"
        if raw_path.startswith(prefix):
            return raw_path[len(prefix) :]
        if raw_path == self.base_path:
            return ""
        return None

    def base_url(self, request: Request) -> str:
        host = request.environ.get("HTTP_HOST", "")
        if not _HOST.match(host):
            host = f"{request.environ.get('SERVER_NAME', '127.0.0.1')}:{request.environ.get('SERVER_PORT', '80')}"
        return f"http://{host}{self.base_path}"

    def _fault_response(self, fault: Fault) -> Response:
        assert fault.status is not None
        headers = dict(fault.headers)
        if fault.retry_after is not None:
            headers["Retry-After"] = str(fault.retry_after)
        if fault.body is None:
            return json_response({"detail": f"Injected fault {fault.name}"}, fault.status, headers)
        if isinstance(fault.body, (dict, list)):
            payload = json.dumps(fault.body).encode()
            content_type = fault.content_type or "application/json"
        else:
            payload = fault.body.encode() if isinstance(fault.body, str) else bytes(fault.body)
            content_type = fault.content_type or "text/html; charset=utf-8"
        return Response(payload, status=fault.status, headers=headers, content_type=content_type)

    def _dispatch(self, request: Request, relative: str | None, path: str) -> Response:
        if request.content_length is not None and request.content_length > self.max_body:
            request.environ[DROP_KEY + ".close"] = True
            raise ApiError(413, {"detail": "Request body is too large."})
        if relative is None:
            raise ApiError(404, {"detail": "Not found."})
        route, params = self.router.match(relative, request.method.upper())
        self._check_auth(request, route, params)
        ctx = Ctx(request=request, path=path, state=self.state, base_url=self.base_url(request))
        return route.handler(ctx, params)

    def _check_auth(self, request: Request, route: Route, params: dict[str, str]) -> None:
        if route.auth == "none":
            return
        expected = self.state.token
        for header in ("Synapse-Access-Token", "Authorization"):
            given = strip_token(request.headers.get(header))
            if given and hmac.compare_digest(given.encode(), expected.encode()):
                return
        if route.auth == "agent":
            agent = strip_token(request.headers.get("SYNAPSE-Agent"))
            if agent and (agent == params.get("token") or self.state.store.find_one("agents", "token", agent)):
                return
        has_any = any(strip_token(request.headers.get(h)) for h in ("Synapse-Access-Token", "Authorization"))
        message = "Invalid token." if has_any else "Authentication credentials were not provided."
        raise ApiError(401, {"detail": message}, {"WWW-Authenticate": "Token"})
