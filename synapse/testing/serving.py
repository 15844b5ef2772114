"""The werkzeug request handler, adapted for keep-alive and dropped connections.

werkzeug's own ``run_wsgi`` always answers ``Connection: close``, which would make every client
request pay a new TCP connection and defeat connection pooling. This handler keeps the HTTP
parsing of ``http.server``/werkzeug (``make_environ``) and only replaces the response writing:
Content-Length or chunked framing, draining any unread request body so the next request on the
connection starts cleanly, and closing the socket without an answer when a fault asks for it.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterable
from typing import IO, Any, cast

from werkzeug.serving import WSGIRequestHandler
from werkzeug.wsgi import LimitedStream

from synapse.testing.app import DROP_KEY

#: Unread request bodies up to this size are drained to keep the connection; larger ones close it.
_DRAIN_LIMIT = 64 * 1024 * 1024


class ConnectionRegistry:
    """Open client sockets, so stop() can cut idle keep-alive connections."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()

    def add(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.add(sock)

    def discard(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.discard(sock)

    def close_all(self) -> None:
        with self._lock:
            sockets = list(self._sockets)
            self._sockets.clear()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class KeepAliveRequestHandler(WSGIRequestHandler):
    """HTTP/1.1 with persistent connections; silent (the backend keeps its own log)."""

    protocol_version = "HTTP/1.1"
    timeout = 120

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; without NODELAY, Nagle plus delayed ACKs
        # would add ~40 ms to every keep-alive request.
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        registry = getattr(self.server, "synapse_connections", None)
        if isinstance(registry, ConnectionRegistry):
            registry.add(self.connection)

    def finish(self) -> None:
        registry = getattr(self.server, "synapse_connections", None)
        if isinstance(registry, ConnectionRegistry):
            registry.discard(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return

    def log(self, type: str, message: str, *args: Any) -> None:
        return

    def _drop(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def run_wsgi(self) -> None:
        if self.headers.get("Expect", "").lower().strip() == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        environ = self.make_environ()
        chunked_in = "wsgi.input_terminated" in environ
        stream: LimitedStream | None = None
        if not chunked_in:
            try:
                length = max(0, int(self.headers.get("Content-Length") or 0))
            except ValueError:
                length = 0
            stream = LimitedStream(cast(IO[bytes], self.rfile), length)
            environ["wsgi.input"] = stream
        captured: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["status"], captured["headers"] = status, headers
            return lambda data: None

        result: Iterable[bytes] = self.server.app(environ, start_response)
        try:
            if environ.get(DROP_KEY):
                self._drop()
                return
            self._write_response(environ, captured, result, chunked_in)
        except (TimeoutError, ConnectionError, OSError):
            self.close_connection = True
            return
        finally:
            close = getattr(result, "close", None)
            if callable(close):
                close()
        if chunked_in or environ.get(DROP_KEY + ".close"):
            self.close_connection = True
        elif stream is not None and not stream.is_exhausted:
            self._drain(stream)

    def _drain(self, stream: LimitedStream) -> None:
        if stream.limit - stream.tell() > _DRAIN_LIMIT:
            self.close_connection = True
            return
        try:
            while stream.read(1024 * 1024):
                pass
        except (OSError, ValueError):
            self.close_connection = True

    def _write_response(
        self, environ: dict[str, Any], captured: dict[str, Any], result: Iterable[bytes], chunked_in: bool
    ) -> None:
        code_text, _, reason = str(captured.get("status", "500 Internal Server Error")).partition(" ")
        code = int(code_text)
        self.send_response(code, reason)
        keys: set[str] = set()
        for key, value in captured.get("headers", []):
            if key.lower() in ("date", "server"):
                continue
            self.send_header(key, value)
            keys.add(key.lower())
        head = environ["REQUEST_METHOD"] == "HEAD"
        chunked_out = "content-length" not in keys and code not in (204, 304) and not head
        if chunked_out:
            self.send_header("Transfer-Encoding", "chunked")
        if chunked_in or environ.get(DROP_KEY + ".close"):
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        for data in result:
            if head or not data:
                continue
            if chunked_out:
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            else:
                self.wfile.write(data)
        if chunked_out:
            self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()
