"""A loopback server that answers with whatever bytes a test writes: servers too broken for LocalBackend.

Each connection carries one request. The handler gets an :class:`Exchange` with the request head
and writes the answer itself (status line, headers, body), slowly or endlessly if it likes; the
connection is closed when the handler returns or the client hangs up. With ``tls=`` the server
speaks TLS with that context; failed handshakes are recorded, not raised.
"""

from __future__ import annotations

import contextlib
import gzip
import socket
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Exchange:
    """One request received and the socket to answer it on."""

    sock: socket.socket
    head: bytes
    stopping: threading.Event

    @property
    def headers(self) -> dict[str, str]:
        lines = self.head.decode("latin-1").split("\r\n")[1:]
        return {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines if line)}

    def send(self, data: bytes) -> bool:
        """Write ``data``; False once the client has gone away."""
        try:
            self.sock.sendall(data)
        except OSError:
            return False
        return True

    def drip(self, data: bytes, every: float) -> None:
        """Write ``data`` one byte at a time, ``every`` seconds apart, until done or the client leaves."""
        for index in range(len(data)):
            if self.stopping.wait(every) or not self.send(data[index : index + 1]):
                return

    def answer(self, status: str, body: bytes, headers: dict[str, str] | None = None) -> None:
        """A complete answer with Content-Length, unless the headers say otherwise."""
        fields = {"Content-Length": str(len(body)), "Connection": "close", **(headers or {})}
        lines = "".join(f"{k}: {v}\r\n" for k, v in fields.items() if v)
        self.send(f"HTTP/1.1 {status}\r\n{lines}\r\n".encode() + body)


Handler = Callable[[Exchange], None]


class RawServer:
    """Serve ``handler`` on 127.0.0.1 (plain or TLS) until the block ends."""

    def __init__(self, handler: Handler, *, tls: ssl.SSLContext | None = None) -> None:
        self._handler = handler
        self._tls = tls
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self.heads: list[bytes] = []
        self.handshake_errors: list[str] = []

    @property
    def url(self) -> str:
        scheme = "https" if self._tls else "http"
        return f"{scheme}://127.0.0.1:{self._listener.getsockname()[1]}/api/v1"

    def __enter__(self) -> RawServer:
        self._start(self._accept)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()
        for thread in list(self._threads):
            thread.join(5)
        self._listener.close()

    def _start(self, target: Callable[..., None], *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                sock, _ = self._listener.accept()
            except (TimeoutError, OSError):
                continue
            self._start(self._serve, sock)

    def _serve(self, sock: socket.socket) -> None:
        sock.settimeout(5)
        with contextlib.closing(sock):
            if self._tls is not None:
                try:
                    sock = self._tls.wrap_socket(sock, server_side=True)
                except (ssl.SSLError, OSError) as exc:
                    self.handshake_errors.append(type(exc).__name__)
                    return
            head = _read_head(sock)
            if head is None:
                return
            self.heads.append(head)
            with contextlib.suppress(OSError):
                self._handler(Exchange(sock, head, self._stopping))
                sock.shutdown(socket.SHUT_RDWR)


def _read_head(sock: socket.socket) -> bytes | None:
    """The request line and headers; the body (by Content-Length) is read and dropped."""
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                return None
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        length = next(
            (int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")),
            0,
        )
        while len(rest) < length:
            chunk = sock.recv(65536)
            if not chunk:
                break
            rest += chunk
    except OSError:
        return None
    return head


def gzip_bomb(decoded_size: int, member: int = 64 << 20) -> bytes:
    """Gzip of ``decoded_size`` zero bytes, made of repeated members so it is built in a moment."""
    one = gzip.compress(b"\0" * member, compresslevel=9)
    return one * max(1, decoded_size // member)


def endless_chunks(exchange: Exchange, headers: str = "") -> None:
    """A chunked 200 answer that never ends (until the client hangs up)."""
    exchange.send(f"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n{headers}\r\n".encode())
    block = b"x" * 65536
    chunk = b"%x\r\n" % len(block) + block + b"\r\n"
    while not exchange.stopping.is_set() and exchange.send(chunk):
        pass
