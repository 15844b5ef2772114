"""A loopback HTTP server whose answers a test writes by hand, byte for byte.

LocalBackend faults cover statuses, drops and drips; some hostile answers need more control: a
chunked body that ends cleanly but early, a server whose state goes backwards, an object that
changes between two requests. The test gives a ``handler(request) -> Reply``; the server writes
exactly that, over real HTTP.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Reply:
    """What to send. ``chunked`` sends the body with chunked encoding and no Content-Length,
    ending it cleanly; ``cut_after`` closes the connection after that many body bytes."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    chunked: bool = False
    cut_after: int | None = None


Handler = Callable[[Request], Reply]


class HostileServer:
    """Serve ``handler`` on 127.0.0.1 until :meth:`close`; ``requests`` logs what arrived."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[Request] = []
        owner = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                request = Request(
                    self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length)
                )
                owner.requests.append(request)
                reply = owner.handler(request)
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                body = reply.body if reply.cut_after is None else reply.body[: reply.cut_after]
                if reply.chunked:
                    self.send_header("Transfer-Encoding", "chunked")
                elif "Content-Length" not in reply.headers:
                    self.send_header("Content-Length", str(len(reply.body)))
                if reply.cut_after is not None:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                self.end_headers()
                for piece in _pieces(body):
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece) if reply.chunked else piece)
                if reply.chunked and reply.cut_after is None:
                    self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()

            do_GET = do_PUT = do_POST = _serve

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def _pieces(body: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]
