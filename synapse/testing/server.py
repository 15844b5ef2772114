"""LocalBackend: a real Synapse-compatible HTTP server on loopback, for tests and demos.

``backend.url`` is the API base, ``http://127.0.0.1:<port>/api/v1`` (no trailing slash); every
route and every request-log ``path`` is relative to it (``tasks/1/``). Uploaded files are served,
without auth, under ``<url>/media/<key>/<name>``.
"""

from __future__ import annotations

import re
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server

from synapse.testing.app import Application
from synapse.testing.context import State
from synapse.testing.faults import FaultSet
from synapse.testing.jobs import JobRunner
from synapse.testing.media import MediaStore
from synapse.testing.records import RequestRecord
from synapse.testing.routes import build_router
from synapse.testing.serving import ConnectionRegistry, KeepAliveRequestHandler
from synapse.testing.store import Store

BASE_PATH = "/api/v1"
DEFAULT_MAX_BODY = (1 << 30) + (1 << 20)


class LocalBackend:
    """A local Synapse backend. ``db=None`` keeps data in memory; a path keeps it in SQLite.

    Arguments: ``token`` clients must send; ``host``/``port`` to bind (0 = a free port);
    ``page_size`` default (``max_page_size`` clamps a requested ``page_size``, as DRF does; the
    default is not clamped); ``latency`` seconds added to every
    request; ``data_dir`` for stored files (default: ``<db>.files`` next to the db, or a temporary
    folder removed on stop for an in-memory store); ``max_body`` bytes before 413;
    ``upload_expiry`` seconds a chunked upload may stay unfinished; ``job_duration`` seconds from
    PENDING to SUCCEEDED; ``log_limit`` records kept in ``requests``.

    Public surface: ``start()``/``stop()`` (idempotent; also a context manager), ``url``,
    ``root_url``, ``url_for(path)``, ``token``, ``auth_headers``, ``requests`` (RequestRecord
    list), ``request_count``, ``clear_log()``, ``errors``, ``faults`` (FaultSet), ``reset()``,
    ``seed(kind, objects)``, ``seed_sample()``, ``get(kind, id)``, ``count(kind)``, ``data_dir``.
    """

    def __init__(
        self,
        db: str | Path | None = None,
        token: str = "devtoken",
        host: str = "127.0.0.1",
        port: int = 0,
        page_size: int = 100,
        latency: float = 0.0,
        data_dir: str | Path | None = None,
        *,
        max_body: int = DEFAULT_MAX_BODY,
        upload_expiry: float = 24 * 3600.0,
        job_duration: float = 0.5,
        max_page_size: int = 1000,
        log_limit: int = 100_000,
    ) -> None:
        if page_size < 1 or max_page_size < 1:
            raise ValueError("page_size and max_page_size must be at least 1")
        self.db = str(db) if db is not None else None
        self.token = token
        self.host = host
        self.port = port
        self.latency = latency
        self._temp_dir: str | None = None
        if data_dir is not None:
            root = Path(data_dir)
        elif self.db is not None:
            root = Path(self.db).resolve().parent / (Path(self.db).name + ".files")
        else:
            self._temp_dir = tempfile.mkdtemp(prefix="synapse-local-")
            root = Path(self._temp_dir)
        self.data_dir = root
        self.store = Store(self.db)
        self.jobs = JobRunner(self.store, job_duration)
        self.state = State(
            store=self.store,
            media=MediaStore(root),
            jobs=self.jobs,
            token=token,
            page_size=page_size,
            max_page_size=max_page_size,
            upload_expiry=upload_expiry,
        )
        self.app = Application(self.state, build_router(), BASE_PATH, max_body, latency, log_limit)
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._lifecycle = threading.Lock()
        self._closed = False

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> LocalBackend:
        """Start serving (no-op when already running). Reopens the store after stop()."""
        with self._lifecycle:
            if self._server is not None:
                return self
            if self._closed:
                self.store = Store(self.db)
                self.jobs = JobRunner(self.store, self.jobs.duration)
                self.state.store, self.state.jobs = self.store, self.jobs
                if self._temp_dir is not None:
                    self.data_dir.mkdir(parents=True, exist_ok=True)
                    self.state.media = MediaStore(self.data_dir)
                self._closed = False
            self.app.stopping.clear()
            listener = _listen(self.host, self.port)
            try:
                server = make_server(
                    self.host,
                    self.port,
                    self.app,
                    threaded=True,
                    request_handler=KeepAliveRequestHandler,
                    fd=listener.fileno(),
                )
                self.port = listener.getsockname()[1]
            finally:
                listener.close()  # werkzeug works on its own duplicate of the socket
            server.synapse_connections = ConnectionRegistry()  # type: ignore[attr-defined]
            self._server = server
            self.jobs.start()
            self._thread = threading.Thread(
                target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="synapse-local-backend", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the store; data of a file database stays on disk.

        Also releases a backend that never started (a busy port): its store and temporary folder."""
        with self._lifecycle:
            server, self._server = self._server, None
            if server is not None:
                self.app.stopping.set()
                server.shutdown()
                server.synapse_connections.close_all()  # type: ignore[attr-defined]
                server.server_close()
                if self._thread is not None:
                    self._thread.join(timeout=5)
                    self._thread = None
            if self._closed:
                return
            self.jobs.stop()
            self.store.close()
            self._closed = True
            if self._temp_dir is not None:
                shutil.rmtree(self._temp_dir, ignore_errors=True)

    def __enter__(self) -> LocalBackend:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._server is not None

    # -- addresses ---------------------------------------------------------------------------

    @property
    def root_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def url(self) -> str:
        """The API base URL to hand a client: ``http://127.0.0.1:<port>/api/v1``."""
        return self.root_url + BASE_PATH

    def url_for(self, path: str) -> str:
        return f"{self.url}/{path.lstrip('/')}"

    @property
    def auth_headers(self) -> dict[str, str]:
        return {"Synapse-Access-Token": f"Token {self.token}"}

    # -- request log, errors, faults -------------------------------------------------------

    @property
    def requests(self) -> list[RequestRecord]:
        with self.app.log_lock:
            return list(self.app.requests)

    def wait_for_request(
        self, method: str, path_regex: str, timeout: float = 5.0, *, finished: bool = False
    ) -> RequestRecord:
        """The first logged request with this method whose relative path fully matches ``path_regex``,
        waiting up to ``timeout`` seconds for it to arrive (and, with ``finished``, for its handler
        to end). Use it instead of sleeping when a request may still be in flight, e.g. a POST the
        client gave up on. Raises ``TimeoutError``.

            backend.wait_for_request("POST", r"tasks/", finished=True)
        """
        pattern = re.compile(path_regex)
        wanted = method.upper()
        deadline = time.monotonic() + timeout
        with self.app.log_changed:
            while True:
                for record in self.app.requests:
                    if record.method == wanted and pattern.fullmatch(record.path):
                        if record.finished or not finished:
                            return record
                        break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    state = "finished " if finished else ""
                    raise TimeoutError(f"no {state}{wanted} {path_regex!r} within {timeout} s")
                self.app.log_changed.wait(remaining)

    @property
    def request_count(self) -> int:
        """Requests received since start or the last clear_log()/reset() (not capped by log_limit)."""
        with self.app.log_lock:
            return self.app.request_total

    @property
    def errors(self) -> list[dict[str, Any]]:
        """Unexpected exceptions raised by handlers (each answered as a JSON 500)."""
        with self.app.log_lock:
            return list(self.app.errors)

    def clear_log(self) -> None:
        with self.app.log_lock:
            self.app.requests.clear()
            self.app.request_total = 0

    @property
    def faults(self) -> FaultSet:
        return self.app.faults

    # -- data --------------------------------------------------------------------------------

    def reset(self) -> None:
        """Empty every collection, the stored files, pending jobs, the log and the error list."""
        self.jobs.clear()
        self.store.clear()
        self.state.media.clear()
        with self.app.log_lock:
            self.app.requests.clear()
            self.app.request_total = 0
            self.app.errors.clear()

    def seed(self, kind: str, objects: list[dict[str, Any]]) -> list[int]:
        """Bulk-insert objects straight into the store (no HTTP, no validation); returns ids.

        Server-owned fields get their defaults (``created``, a task's ``has_data``/``is_discarded``)."""
        from synapse.testing.handlers.crud import now_iso, server_fields

        now = now_iso()
        prepared = [server_fields(kind, {"created": now, "modified": now, **obj}) for obj in objects]
        return [int(obj["id"]) for obj in self.store.insert_many(kind, prepared)]

    def seed_sample(self, tasks: int = 300) -> dict[str, Any]:
        """Load the sample dataset (see ``synapse.testing.sample``); returns the ids created."""
        from synapse.testing.sample import load_sample

        return load_sample(self, tasks=tasks)

    def get(self, kind: str, obj_id: int) -> dict[str, Any] | None:
        """One stored object as the store holds it (media URLs still carry their marker)."""
        return self.store.get(kind, obj_id)

    def count(self, kind: str) -> int:
        from synapse.testing.store import Query

        return self.store.count(kind, Query())

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<LocalBackend {self.url if self.running else self.host} {state} db={self.db or ':memory:'}>"


def _listen(host: str, port: int) -> socket.socket:
    """Bind the listening socket ourselves: a busy port raises ``OSError`` here, where werkzeug
    would print to stderr and exit the whole process."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
        listener.listen(128)
    except OSError:
        listener.close()
        raise
    return listener
